CASE
  WHEN "v" IS NULL
  THEN CAST(NULL AS VARCHAR)
  WHEN "v" = ''
  THEN ''
  ELSE CASE
    WHEN LOWER(REGEXP_EXTRACT("v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)) = 'aws'
    THEN "v"
    WHEN REGEXP_LIKE("v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:.+$')
    THEN CONCAT(
      COALESCE(
        CAST(REGEXP_EXTRACT("v", '^([Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:)[^:]*:.', 1) AS VARCHAR),
        ''
      ),
      COALESCE(
        CAST(CASE
          WHEN LOWER(REGEXP_EXTRACT("v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)) IN ('', 'aws')
          THEN REGEXP_EXTRACT("v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)
          ELSE 'XXXXX'
        END AS VARCHAR),
        ''
      ),
      COALESCE(CAST(':' AS VARCHAR), ''),
      COALESCE(
        CAST(REGEXP_EXTRACT(
          "v",
          '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
          1
        ) AS VARCHAR),
        ''
      ),
      COALESCE(
        CAST(REGEXP_REPLACE(
          CASE
            WHEN REGEXP_EXTRACT(
              "v",
              '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
              1
            ) = ''
            THEN REGEXP_EXTRACT("v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$', 1)
            ELSE SUBSTR(
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
          'XXXXX'
        ) AS VARCHAR),
        ''
      )
    )
    ELSE 'XXXXX'
  END
END
