"""The UI's pages, one module each with a `render()` function."""
