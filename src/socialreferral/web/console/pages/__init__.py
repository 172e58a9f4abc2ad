"""The console's pages, one module per area (each installs its page and JSON routers)."""
