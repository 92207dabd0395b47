CASE
  WHEN "v" IS NULL
  THEN CAST(NULL AS TEXT)
  WHEN "v" = ''
  THEN ''
  ELSE CASE
    WHEN LOWER(REGEXP_EXTRACT("v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)) = 'aws'
    THEN "v"
    WHEN REGEXP_MATCHES("v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:.+$')
    THEN CONCAT(
      REGEXP_EXTRACT("v", '^([Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:)[^:]*:.', 1),
      CASE
        WHEN LOWER(REGEXP_EXTRACT("v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)) IN ('', 'aws')
        THEN REGEXP_EXTRACT("v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)
        ELSE 'XXXXX'
      END,
      ':',
      REGEXP_EXTRACT(
        "v",
        '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
        1
      ),
      REGEXP_REPLACE(
        CASE
          WHEN REGEXP_EXTRACT(
            "v",
            '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
            1
          ) = ''
          THEN REGEXP_EXTRACT("v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$', 1)
          ELSE SUBSTRING(
            REGEXP_EXTRACT("v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$', 1),
            LENGTH(
              REGEXP_EXTRACT(
                "v",
                '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                1
              )
            ) + 1
          )
        END,
        '[^/]+',
        'XXXXX',
        'g'
      )
    )
    ELSE 'XXXXX'
  END
END
