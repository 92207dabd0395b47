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
        ELSE SUBSTRING(
          'acct_' || SUBSTRING(
            SHA256(
              GETVARIABLE('tm_mask_key__k') || ':account_id:' || REGEXP_EXTRACT("v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)
            ),
            1,
            12
          ),
          1,
          CAST(LENGTH(REGEXP_EXTRACT("v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)) >= 1 AS INT) * 128
        )
      END,
      ':',
      REGEXP_EXTRACT(
        "v",
        '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
        1
      ),
      SUBSTRING(
        ARRAY_TO_STRING(
          LIST_TRANSFORM(
            REGEXP_EXTRACT_ALL(
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
              END || '/',
              '[^/]*/'
            ),
            LAMBDA tm_seg : SUBSTRING(
              'name_' || SUBSTRING(
                SHA256(
                  GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)
                ),
                1,
                12
              ),
              1,
              CAST(LENGTH(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)) >= 1 AS INT) * 128
            ) || '/'
          ),
          ''
        ),
        1,
        LENGTH(
          ARRAY_TO_STRING(
            LIST_TRANSFORM(
              REGEXP_EXTRACT_ALL(
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
                END || '/',
                '[^/]*/'
              ),
              LAMBDA tm_seg : SUBSTRING(
                'name_' || SUBSTRING(
                  SHA256(
                    GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)
                  ),
                  1,
                  12
                ),
                1,
                CAST(LENGTH(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)) >= 1 AS INT) * 128
              ) || '/'
            ),
            ''
          )
        ) - 1
      )
    )
    ELSE SUBSTRING(
      'name_' || SUBSTRING(SHA256(GETVARIABLE('tm_mask_key__k') || ':principal:' || "v"), 1, 12),
      1,
      CAST(LENGTH("v") >= 1 AS INT) * 128
    )
  END
END
