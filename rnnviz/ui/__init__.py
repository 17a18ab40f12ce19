"""The desktop app's widgets (PySide6 + pyqtgraph). Modules are imported where needed so that
starting the app loads only what the window uses."""
