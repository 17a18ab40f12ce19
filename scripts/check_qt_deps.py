"""Before `make run`: does Qt's xcb (X11) platform plugin find every system library it needs?

Qt's own message for a missing library names only the first plugin it tried (and often the
wrong package, e.g. xcb-cursor0 when libxcb-icccm4 is missing). This script runs ``ldd`` on the
plugin and the libraries it loads and prints the one apt-get line that installs what is
missing. Exit status 1 when something is missing (0 otherwise, and on systems it cannot check).

    python scripts/check_qt_deps.py            # check
    python scripts/check_qt_deps.py --list     # print the Debian/Ubuntu packages of the plugin
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

# soname -> Debian/Ubuntu package (the libraries PySide6's xcb plugin and Qt GUI load).
PACKAGES = {
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
}
# Loaded at run time by the plugin (dlopen), so ldd cannot see them missing.
RUNTIME = ("libxcb-cursor.so.0",)


def qt_dir() -> Path | None:
    """PySide6's Qt folder (without importing PySide6, which would need the libraries)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "Qt"


def binaries(qt: Path) -> list[Path]:
    """The xcb plugin and the Qt libraries it pulls in."""
    names = [qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib" / "libQt6XcbQpa.so.6",
             qt / "lib" / "libQt6Gui.so.6"]
    return [p for p in names if p.exists()]


def missing_in(ldd_output: str) -> list[str]:
    """Sonames that ldd reports as 'not found', in order, without repeats."""
    found: list[str] = []
    for line in ldd_output.splitlines():
        if "=> not found" in line:
            name = line.split("=>")[0].strip()
            if name not in found:
                found.append(name)
    return found


def has_library(soname: str) -> bool:
    """Whether the dynamic loader knows a library (ldconfig's cache)."""
    try:
        out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, timeout=10,
                             check=False).stdout
    except OSError:
        return True  # cannot tell: do not claim it is missing
    return f"{soname} " in out or f"/{soname}\n" in out


def apt_line(sonames: list[str]) -> str:
    """The apt-get command installing the packages of the given sonames."""
    pkgs: list[str] = []
    for name in sonames:
        pkg = PACKAGES.get(name, f"<the package providing {name}>")
        if pkg not in pkgs:
            pkgs.append(pkg)
    return "sudo apt-get install " + " ".join(pkgs)


def missing_libraries(qt: Path) -> list[str]:
    """Every soname the xcb plugin needs that this system lacks."""
    missing: list[str] = []
    for binary in binaries(qt):
        out = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, timeout=30,
                             check=False).stdout
        missing += [m for m in missing_in(out) if m not in missing]
    missing += [r for r in RUNTIME if r not in missing and not has_library(r)]
    return missing


def uses_xcb() -> bool:
    """Whether Qt will try the xcb plugin (not offscreen, not a Wayland session)."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(":")[0].split(";")[0] == "xcb"
    return not (os.environ.get("WAYLAND_DISPLAY")
                and os.environ.get("XDG_SESSION_TYPE") == "wayland")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true",
                        help="print the apt-get line for all of the plugin's libraries")
    args = parser.parse_args(argv)
    if args.list:
        print(apt_line(list(PACKAGES)))
        return 0
    if not sys.platform.startswith("linux") or not uses_xcb() or shutil.which("ldd") is None:
        return 0
    qt = qt_dir()
    if qt is None:
        return 0
    missing = missing_libraries(qt)
    if not missing:
        return 0
    print("rnnviz: Qt's X11 (xcb) platform plugin cannot load; missing system libraries:\n  "
          + " ".join(missing) + "\nInstall them with:\n  " + apt_line(missing),
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
