"""Build hook: the wheel ships the top-level models/ and assets/ folders as explorer_app.models and
explorer_app.assets, so an installed copy finds them through importlib.resources (see resources.py).

Everything else is declared in pyproject.toml. An editable install copies nothing: there resources.py
falls back to the checkout's own folders.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = {"models": ("*.safetensors", "*.md", "*.json"), "assets": ("**/*",)}


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for folder, patterns in SHIPPED.items():
            package = Path(self.build_lib, "explorer_app", folder)
            for pattern in patterns:
                for source in sorted(Path(folder).glob(pattern)):
                    if source.is_file():
                        target = package / source.relative_to(folder)
                        self.mkpath(str(target.parent))
                        self.copy_file(str(source), str(target))
            (package / "__init__.py").write_text(
                f'"""Shipped {folder}: data only (copied from {folder}/ at build time)."""\n'
            )


setup(cmdclass={"build_py": BuildPyWithData})
