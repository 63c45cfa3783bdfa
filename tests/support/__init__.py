"""What the tests share: clients, factories, servers, pages (no tests here)."""
