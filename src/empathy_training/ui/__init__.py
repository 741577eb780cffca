"""ipywidgets components: thin views over the package's functions and the store."""
