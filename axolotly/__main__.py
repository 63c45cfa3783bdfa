from axolotly.cli import app

app(prog_name="axolotly")
