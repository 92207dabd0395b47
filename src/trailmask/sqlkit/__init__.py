"""SQL toolkit (L1): the only package that imports sqlglot (parse, qualify, rewrite, transpile)."""
