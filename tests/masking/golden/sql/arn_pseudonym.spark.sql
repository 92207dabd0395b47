CASE
  WHEN `v` IS NULL
  THEN CAST(NULL AS STRING)
  WHEN `v` = ''
  THEN ''
  ELSE CASE
    WHEN LOWER(REGEXP_EXTRACT(`v`, '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):')) = 'aws'
    THEN `v`
    WHEN `v` RLIKE '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:.+$'
    THEN CONCAT(
      COALESCE(REGEXP_EXTRACT(`v`, '^([Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:)[^:]*:.'), ''),
      COALESCE(
        CASE
          WHEN LOWER(REGEXP_EXTRACT(`v`, '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):')) IN ('', 'aws')
          THEN REGEXP_EXTRACT(`v`, '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):')
          ELSE SUBSTRING(
            'acct_' || SUBSTRING(
              SHA2(
                (
                  SELECT
                    k
                  FROM tm_mask_key
                ) || ':account_id:' || REGEXP_EXTRACT(`v`, '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):'),
                256
              ),
              1,
              12
            ),
            1,
            CAST(LENGTH(REGEXP_EXTRACT(`v`, '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):')) >= 1 AS INT) * 128
          )
        END,
        ''
      ),
      ':',
      COALESCE(
        REGEXP_EXTRACT(
          `v`,
          '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).'
        ),
        ''
      ),
      COALESCE(
        SUBSTRING(
          ARRAY_JOIN(
            TRANSFORM(
              REGEXP_EXTRACT_ALL(
                CASE
                  WHEN REGEXP_EXTRACT(
                    `v`,
                    '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).'
                  ) = ''
                  THEN REGEXP_EXTRACT(`v`, '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$')
                  ELSE SUBSTRING(
                    REGEXP_EXTRACT(`v`, '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$'),
                    LENGTH(
                      REGEXP_EXTRACT(
                        `v`,
                        '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).'
                      )
                    ) + 1
                  )
                END || '/',
                '[^/]*/',
                0
              ),
              tm_seg -> SUBSTRING(
                'name_' || SUBSTRING(
                  SHA2(
                    (
                      SELECT
                        k
                      FROM tm_mask_key
                    ) || ':principal:' || SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1),
                    256
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
            ARRAY_JOIN(
              TRANSFORM(
                REGEXP_EXTRACT_ALL(
                  CASE
                    WHEN REGEXP_EXTRACT(
                      `v`,
                      '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).'
                    ) = ''
                    THEN REGEXP_EXTRACT(`v`, '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$')
                    ELSE SUBSTRING(
                      REGEXP_EXTRACT(`v`, '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$'),
                      LENGTH(
                        REGEXP_EXTRACT(
                          `v`,
                          '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).'
                        )
                      ) + 1
                    )
                  END || '/',
                  '[^/]*/',
                  0
                ),
                tm_seg -> SUBSTRING(
                  'name_' || SUBSTRING(
                    SHA2(
                      (
                        SELECT
                          k
                        FROM tm_mask_key
                      ) || ':principal:' || SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1),
                      256
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
        ),
        ''
      )
    )
    ELSE SUBSTRING(
      'name_' || SUBSTRING(SHA2((
        SELECT
          k
        FROM tm_mask_key
      ) || ':principal:' || `v`, 256), 1, 12),
      1,
      CAST(LENGTH(`v`) >= 1 AS INT) * 128
    )
  END
END
