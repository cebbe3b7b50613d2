"""Reports: executes the notebooks with papermill and exports HTML that works offline."""
