"""Policy knowledge base: YAML sources → validated → SQLite (with FTS5) → queries.

Entry points: `policy_kb.store.open_kb()`, `policy_kb.search.search()`,
`policy_kb.compiler.build()`.
"""
