"""orgscaffold: one client questionnaire -> the OpenTofu repositories of a small, secure AWS Organization."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("orgscaffold")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"
