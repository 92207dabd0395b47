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
          ELSE 'XXXXX'
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
        REGEXP_REPLACE(
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
          END,
          '[^/]+',
          'XXXXX'
        ),
        ''
      )
    )
    ELSE 'XXXXX'
  END
END
