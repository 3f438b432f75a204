"""Serve a TensorFlow-free model without loading TensorFlow.

Rasa 3.6 imports TensorFlow (and Keras) at start-up whatever the pipeline: the modules the
server imports define Keras callbacks, layers and ``tf.function``s at module level. Measured
on this project's server: TensorFlow is ≈350 MB of each Rasa process's ≈600 MB and ≈2 s of its
start. This project's pipeline and policies use no TensorFlow (``config.yml``: scikit-learn's
logistic regression, count features, deterministic extractors, rules), so for serving, and
only when every component in ``config.yml`` is in ``TENSORFLOW_FREE``, :func:`install` puts
placeholder modules in the place of ``tensorflow`` and ``keras``: attribute access gives
placeholder classes, which Rasa's module-level code can subclass, call and decorate with. No
TensorFlow code runs in such a process; a component that needed it would get placeholders,
which is why the allow-list names components, not the other way round (a new component keeps
TensorFlow until it is checked and added). Training (``rasa train``) never uses this.

tests/rasa/test_without_tensorflow.py loads the trained model both ways and requires the same
parse for every message, and the stack tests run on it.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from pathlib import Path
from typing import Any, Iterable, List, Optional

import yaml

# Components of config.yml that neither import nor run TensorFlow when serving (checked
# against Rasa 3.6.21's sources).
TENSORFLOW_FREE = frozenset({
    "nlu.components.ChineseTextNormaliser", "nlu.components.AmountEntityExtractor",
    "nlu.components.KBEntityExtractor",
    "JiebaTokenizer", "WhitespaceTokenizer", "RegexFeaturizer", "LexicalSyntacticFeaturizer",
    "CountVectorsFeaturizer", "LogisticRegressionClassifier", "EntitySynonymMapper", "FallbackClassifier",
    "RegexEntityExtractor", "KeywordIntentClassifier",
    "RulePolicy", "MemoizationPolicy", "AugmentedMemoizationPolicy",
})
PLACEHOLDER_PACKAGES = ("tensorflow", "keras")
TENSORFLOW_VERSION = "2.12.0"  # what Rasa 3.6 asks of it (constraints.txt)


def components(config_path: Path) -> List[str]:
    """The names of the pipeline components and policies of a Rasa config file."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    return [str(part.get("name")) for key in ("pipeline", "policies") for part in config.get(key) or []]


def needing_tensorflow(names: Iterable[str]) -> List[str]:
    """The components among ``names`` not known to run without TensorFlow."""
    return [name for name in names if name not in TENSORFLOW_FREE]


class _Placeholder(type):
    """A class that stands for any TensorFlow/Keras object at import time."""

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return placeholder(f"{cls.__qualname__}.{name}")

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and not kwargs and callable(args[0]) and not isinstance(args[0], _Placeholder):
            return args[0]  # a decorator (tf.function, keras' register_keras_serializable()(…))
        return placeholder(f"{cls.__qualname__}()")

    def __getitem__(cls, item: Any) -> Any:
        return placeholder(f"{cls.__qualname__}[]")

    def __or__(cls, other: Any) -> Any:
        return cls

    def __ror__(cls, other: Any) -> Any:
        return cls

    def __iter__(cls) -> Any:
        return iter(())

    def __bool__(cls) -> bool:
        return False


def placeholder(name: str) -> Any:
    return _Placeholder(name, (), {"__qualname__": name, "__module__": "bot.rasa.without_tensorflow"})


class _PlaceholderModule(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return placeholder(f"{self.__name__}.{name}")


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Optional[importlib.machinery.ModuleSpec]:
        if name.split(".")[0] in PLACEHOLDER_PACKAGES:
            return importlib.machinery.ModuleSpec(name, self, is_package=True)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = _PlaceholderModule(spec.name)
        module.__path__ = []  # type: ignore[attr-defined]
        module.__version__ = TENSORFLOW_VERSION  # type: ignore[attr-defined]
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        return None


def installed() -> bool:
    return any(isinstance(finder, _Finder) for finder in sys.meta_path)


def install(config_path: Path) -> List[str]:
    """Install the placeholders if ``config_path`` names only ``TENSORFLOW_FREE`` components
    and TensorFlow is not imported yet. Returns the components that keep TensorFlow (empty
    when installed)."""
    keep = needing_tensorflow(components(config_path))
    if keep or installed():
        return keep
    if any(name.split(".")[0] in PLACEHOLDER_PACKAGES for name in sys.modules):
        return ["(TensorFlow already imported)"]
    sys.meta_path.insert(0, _Finder())
    return []
