"""Issue 27: being written."""
