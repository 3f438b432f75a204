"""Full-text search over the clauses, for Chinese questions.

`search(query, region=None, k=5)` normalises the question (traditional →
simplified, full-width → half-width), segments it with jieba and the KB
vocabulary, expands aliases (广西 → 广西壮族自治区, 规上 → 规模以上 …), drops
stopwords and ranks clauses with FTS5 BM25 over three columns: the words of the
clause, the words of its heading path (weighted up) and its character bigrams
(weighted down, so a typo still finds the clause).
"""

from __future__ import annotations

import weakref
from dataclasses import asdict, dataclass
from typing import Dict, List, Optional, Tuple

from policy_kb import lexicon
from policy_kb.store import KnowledgeBase, or_default

NATIONAL_REGION = "全国"
# BM25 column weights: words, heading words, character bigrams, words of citing items.
WEIGHTS = (1.0, 3.0, 0.3, 0.7)
MAX_TERMS = 64
# Function words and question words of colloquial questions: they carry no topic.
STOPWORDS = frozenset("""
的 了 吗 呢 啊 吧 么 嘛 呀 哦 哈 啦 是 有 在 和 与 及 或 也 都 就 还 又 要 想 能 会 可 可以 能否 能不能 可不可以
我 我们 咱 咱们 你 你们 您 他 他们 它 这 那 这个 那个 这些 那些 哪 哪个 哪些 哪里 哪儿 什么 啥 怎么 怎样 怎么样 如何
多少 几 几个 多 少 吗 请问 请 问 问问 一下 一个 下 给 对 把 被 让 从 到 为 为了 关于 对于 个 些 点 里 上 中
公司 我司 本公司 企业 单位 厂 厂里 家 老板 谢谢 麻烦 知道 告诉 看看 说 讲 现在 今年 需要 需 得 该 应该 是否 如果
""".split())


@dataclass
class Hit:
    """One ranked clause."""

    document_id: str
    document: str
    clause: str
    heading: Optional[str]
    text: str
    score: float
    region: str

    def dict(self) -> dict:
        return asdict(self)

    @property
    def citation(self) -> dict:
        return {"document": self.document, "clause": self.clause, "document_id": self.document_id}


def segmenter_for(kb: KnowledgeBase) -> lexicon.Segmenter:
    """The segmenter built from the database's own vocabulary (cached per vocabulary)."""
    return lexicon.segmenter(kb.lexicon())


def query_terms(query: str, kb: KnowledgeBase) -> Tuple[List[str], List[str], Optional[str]]:
    """(words, bigrams, region named in the question) after normalising and alias expansion.

    A region word (广西, 六安 …) becomes a filter instead of a search term: it occurs
    in nearly every clause of its document and would only favour short clauses.
    """
    text = lexicon.normalise(query)
    words = segmenter_for(kb).words(text)
    aliases = _alias_index(kb)
    expanded: List[str] = []
    region, hint_words = None, []
    for word in words + [a for a in aliases if len(a) > 1 and a in text]:
        hint = _region_hint(word, aliases, kb)
        if hint:
            region = region or hint
            hint_words.append(word)
            continue
        expanded.append(word)
        expanded += [c for c, _kind, _region in aliases.get(word, [])]
    terms = _unique(w for w in expanded if w not in STOPWORDS)
    gram_text = text
    for word in sorted(hint_words, key=len, reverse=True):
        gram_text = gram_text.replace(word, " ")
    grams = _unique(g for g in lexicon.char_bigrams(gram_text) if not _all_stop(g))
    return terms[:MAX_TERMS], grams[:MAX_TERMS], region


_ALIAS_INDEX: "weakref.WeakKeyDictionary[KnowledgeBase, Dict[str, list]]" = weakref.WeakKeyDictionary()


def _alias_index(kb: KnowledgeBase) -> Dict[str, list]:
    """normalised alias -> [(canonical, kind, region of its document)]; programme names included."""
    cached = _ALIAS_INDEX.get(kb)
    if cached is None:
        cached = {}
        for alias, targets in kb.alias_kinds().items():
            cached.setdefault(lexicon.normalise(alias), []).extend(targets)
            for canonical, kind, region in targets:
                if kind == "program":
                    cached.setdefault(lexicon.normalise(canonical), []).append((canonical, kind, region))
        _ALIAS_INDEX[kb] = cached
    return cached


def _region_hint(word: str, aliases: Dict[str, list], kb: KnowledgeBase) -> Optional[str]:
    """The region a word names: a region alias, or a programme that only one region runs."""
    named = kb.resolve_region(word)
    if named:
        return named
    regions = {region for _c, kind, region in aliases.get(word, []) if kind == "program"}
    return regions.pop() if len(regions) == 1 else None


def _all_stop(gram: str) -> bool:
    return all(ch in STOPWORDS for ch in gram)


def _unique(items) -> List[str]:
    seen, out = set(), []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _fts_query(words: List[str], grams: List[str]) -> str:
    def ors(items):
        return " OR ".join('"' + t.replace('"', '""') + '"' for t in items)

    parts = []
    if words:
        parts.append(f"{{words heading_words related_words}} : ({ors(words)})")
    if grams:
        parts.append(f"grams : ({ors(grams)})")
    return " OR ".join(parts)


def search(query: str, region: Optional[str] = None, k: int = 5, kb: Optional[KnowledgeBase] = None) -> List[Hit]:
    """Clauses ranked for a Chinese question; national clauses are included for every region.

    >>> [h.clause for h in search("广西千企技改投资要多少", k=1)]   # doctest: +SKIP
    ['三.（四）']
    """
    kb = or_default(kb)
    words, grams, named_region = query_terms(query or "", kb)
    if not words and not grams:
        return []
    region = region or named_region
    sql = (
        "SELECT c.document_id, c.clause_id, c.heading, c.text, c.region, "
        f"bm25(clauses_fts, {', '.join(map(str, WEIGHTS))}) AS rank "
        "FROM clauses_fts JOIN clauses c ON c.rowid = clauses_fts.rowid WHERE clauses_fts MATCH ?"
    )
    params: list = [_fts_query(words, grams)]
    canonical = kb.resolve_region(region) if region else None
    if region:
        sql += " AND c.region IN (?, ?)"
        params += [canonical or region, NATIONAL_REGION]
    sql += " ORDER BY rank LIMIT ?"
    params.append(max(1, int(k)))
    rows = kb.conn.execute(sql, params).fetchall()
    return [_hit(kb, r) for r in rows]


def _hit(kb: KnowledgeBase, row) -> Hit:
    doc = kb.document(row["document_id"])
    return Hit(row["document_id"], doc.title, row["clause_id"], row["heading"], row["text"],
               round(-row["rank"], 4), row["region"])
