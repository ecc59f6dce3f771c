"""The catalogue: halls, departments, service items, lanes and windows."""
