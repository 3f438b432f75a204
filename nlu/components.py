"""Rasa 3.6 graph components for Chinese policy questions (named in `config.yml`).

- `nlu.components.ChineseTextNormaliser`: full-width → half-width and traditional →
  simplified, before the tokenizer, in training and at inference (length-preserving).
- `nlu.components.AmountEntityExtractor`: money amounts (万元) and percentages, typed as
  investment / investment_this_year / amount / percent by cue words.
- `nlu.components.KBEntityExtractor`: regions, honours and policy terms by longest match
  over the knowledge-base aliases and `nlu/resources/terms.txt`; maps values to canonical.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, Dict, List, Optional, Set, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import ENTITIES, TEXT, TEXT_TOKENS
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.amount_types import (
    AMOUNT_ENTITIES,
    IGNORE,
    INVESTMENT,
    PERCENT,
    CueTable,
    classify,
    classify_wide,
)
from nlu.normalise import Span, find_amounts, format_number, normalise_text
from nlu.terms import TERM_ENTITIES, TermMatcher, load_kb_aliases, merge_entities

logger = logging.getLogger(__name__)


# --- text normaliser ---------------------------------------------------------------------
@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class ChineseTextNormaliser(GraphComponent):
    """Rewrites message text to half-width, simplified characters before tokenising.

    Registered as a tokenizer-type component (without being a `Tokenizer`) because only
    those run on training data and messages before the real tokenizer. The length never
    changes, so entity offsets in the training data stay valid.
    """

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ChineseTextNormaliser":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalise every training example, and entity values written as the span."""
        for example in training_data.training_examples:
            normalise_message(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Normalise the incoming user messages."""
        for message in messages:
            normalise_message(message)
        return messages


def normalise_message(message: Message) -> None:
    """Normalise TEXT in place; "/intent" commands are left alone."""
    text = message.get(TEXT)
    if not text or text.startswith(INTENT_MESSAGE_PREFIX):
        return
    new = normalise_text(text)
    if new == text:
        return
    for entity in message.get(ENTITIES) or []:
        # A value that was just the written span must follow the span, or the synonym
        # mapper would learn "规上" → "規上".
        if entity.get("value") == text[entity["start"] : entity["end"]]:
            entity["value"] = new[entity["start"] : entity["end"]]
    message.set(TEXT, new)


# --- amounts -----------------------------------------------------------------------------
@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False
)
class AmountEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Finds money amounts and percentages and gives them normalised values.

    Replaces whatever DIET extracted for investment / investment_this_year / amount /
    percent: the span and value come from `nlu.normalise.find_amounts`, the type from
    cue words (`nlu/resources/amount_cues.txt`); DIET's type is kept only where no cue
    decides.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Unit of bare numbers ("投资3000"): 万 reads them as 万元; null ignores them.
            "bare_unit": "万",
            # Cue table; null uses nlu/resources/amount_cues.txt.
            "cues_path": None,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = {**self.get_default_config(), **config}
        self._cues = CueTable.load(self._config["cues_path"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "AmountEntityExtractor":
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        """Replace amount-type entities with normalised ones."""
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        entities = message.get(ENTITIES) or []
        others = [e for e in entities if e["entity"] not in AMOUNT_ENTITIES]
        diet = [e for e in entities if e["entity"] in AMOUNT_ENTITIES]
        spans = find_amounts(text, bare_unit=self._config["bare_unit"])
        found = [
            self._entity(text, spans, i, entity_type)
            for i, entity_type in enumerate(self._types(text, spans, diet))
            if entity_type != IGNORE and self._keep(spans[i], text)
        ]
        merged = [e for e in others if not any(_overlap(e, f) for f in found)] + found
        message.set(ENTITIES, sorted(merged, key=lambda e: e["start"]), add_to_output=True)

    def _types(self, text: str, spans: List[Span], diet: List[Dict]) -> List[str]:
        """Entity type per span: own-clause cues, then DIET, then wider cues, else investment."""
        return [
            classify(text, spans, i, self._cues)
            or _diet_type(span, diet)
            or classify_wide(text, spans, i, self._cues)
            or INVESTMENT
            for i, span in enumerate(spans)
        ]

    def _keep(self, span: Span, text: str) -> bool:
        """A bare number is an amount only with a money cue or as a whole reply."""
        if not span.unit_implied:
            return True
        written = text[span.start : span.end]
        if written in _CHAT_SLANG:
            return False
        alone = not text.replace(written, "").strip(" ,.!?，。！？的啊呢吧")
        return alone or classify(text, [span], 0, self._cues) is not None

    def _entity(self, text: str, spans: List[Span], i: int, entity_type: str) -> Dict:
        span = spans[i]
        entity = {
            "entity": entity_type,
            "start": span.start,
            "end": span.end,
            "value": format_number(span.value),
        }
        return self.add_extractor_name([entity])[0]


# Numbers that are chat slang, not amounts, when typed alone (88 = 拜拜, 666 = 厉害).
_CHAT_SLANG = {"88", "886", "666", "520"}


def _diet_type(span: Span, diet: List[Dict]) -> Optional[str]:
    """DIET's type for a money span it also found (never `percent` for money)."""
    for entity in diet:
        if entity["start"] < span.end and span.start < entity["end"]:
            if entity["entity"] != PERCENT:
                return entity["entity"]
    return None


def _overlap(a: Dict, b: Dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


# --- regions, honours, terms -----------------------------------------------------------
@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True
)
class KBEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Fills in region/honour/term entities DIET missed and maps values to canonical.

    At training time the alias table (KB aliases + `nlu/resources/` rule tables) is
    built and stored in the model, so the model does not need the KB at run time.
    """

    TABLE_FILE = "term_table.json"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Entities (= KB alias kinds) to fill in and canonicalise.
            "entities": list(TERM_ENTITIES),
            # Read aliases from the KB at all (false: rule tables only, for tests).
            "use_kb": True,
            # SQLite KB; null → policy_kb.paths.DEFAULT_DB.
            "kb_path": None,
            # Fail training when the KB is missing (a model without region/honour
            # aliases would silently understand much less).
            "require_kb": True,
        }

    @staticmethod
    def required_components() -> List[type]:
        return [Tokenizer]

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        matcher: Optional[TermMatcher] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.matcher = matcher

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "KBEntityExtractor":
        return cls(config, model_storage, resource)

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """Retrain when the aliases change even if the training data did not."""
        merged = {**cls.get_default_config(), **config}
        matcher = cls.build_matcher(merged)
        blob = json.dumps(matcher.to_json(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    @staticmethod
    def build_matcher(config: Dict[Text, Any]) -> TermMatcher:
        """Alias table from the KB and the rule tables, for the configured entities."""
        if not config["use_kb"]:
            return TermMatcher.build({})
        kb = load_kb_aliases(config["entities"], config["kb_path"], config["require_kb"])
        return TermMatcher.build(kb)

    def train(self, training_data: TrainingData) -> Resource:
        """Build the alias table and store it with the model."""
        self.matcher = self.build_matcher(self._config)
        with self._model_storage.write_to(self._resource) as directory:
            path = directory / self.TABLE_FILE
            path.write_text(json.dumps(self.matcher.to_json(), ensure_ascii=False), "utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "KBEntityExtractor":
        with model_storage.read_from(resource) as directory:
            data = json.loads((directory / cls.TABLE_FILE).read_text("utf-8"))
        return cls(config, model_storage, resource, TermMatcher.from_json(data))

    def process(self, messages: List[Message]) -> List[Message]:
        """Canonicalise existing entity values, then add aliases DIET missed."""
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        wanted = set(self._config["entities"])
        entities = [self._canonicalise(e, text, wanted) for e in message.get(ENTITIES) or []]
        found = [t for t in self.matcher.find(text, _boundaries(message)) if t.entity in wanted]
        merged = merge_entities(entities, found, self.name, protected=AMOUNT_ENTITIES)
        message.set(ENTITIES, merged, add_to_output=True)

    def _canonicalise(self, entity: Dict, text: str, wanted: Set[str]) -> Dict:
        if entity["entity"] not in wanted:
            return entity
        written = text[entity["start"] : entity["end"]]
        value = self.matcher.canonical(entity["entity"], str(entity.get("value", written)))
        value = value or self.matcher.canonical(entity["entity"], written)
        if value is not None and value != entity.get("value"):
            entity = {**entity, "value": value}
            self.add_processor_name(entity)
        return entity


def _boundaries(message: Message) -> Optional[Set[int]]:
    """Token start/end offsets, so one-character aliases match whole tokens only."""
    tokens = message.get(TEXT_TOKENS)
    if not tokens:
        return None
    return {t.start for t in tokens} | {t.end for t in tokens}
