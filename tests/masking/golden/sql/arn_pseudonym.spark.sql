CASE
  WHEN `v` IS NULL
  THEN CAST(NULL AS STRING)
  ELSE CASE
    WHEN REGEXP_EXTRACT(`v`, '^arn:[^:]*:[^:]*:[^:]*:([^:]*):') = 'aws'
    THEN `v`
    WHEN `v` RLIKE '^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+$'
    THEN CONCAT(
      COALESCE(REGEXP_EXTRACT(`v`, '^(arn:[^:]*:[^:]*:[^:]*:)[^:]*:.'), ''),
      COALESCE(
        CASE
          WHEN REGEXP_EXTRACT(`v`, '^arn:[^:]*:[^:]*:[^:]*:([^:]*):') IN ('', 'aws')
          THEN REGEXP_EXTRACT(`v`, '^arn:[^:]*:[^:]*:[^:]*:([^:]*):')
          ELSE 'acct_' || SUBSTRING(
            SHA2(
              (
                SELECT
                  k
                FROM tm_mask_key
              ) || ':account_id:' || REGEXP_EXTRACT(`v`, '^arn:[^:]*:[^:]*:[^:]*:([^:]*):'),
              256
            ),
            1,
            12
          )
        END,
        ''
      ),
      ':',
      COALESCE(
        REGEXP_EXTRACT(
          `v`,
          '^arn:[^:]*:(?:[^:s][^:]*|s|s[^:3][^:]*|s3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).'
        ),
        ''
      ),
      COALESCE(
        'name_' || SUBSTRING(
          SHA2(
            (
              SELECT
                k
              FROM tm_mask_key
            ) || ':principal:' || CASE
              WHEN REGEXP_EXTRACT(
                `v`,
                '^arn:[^:]*:(?:[^:s][^:]*|s|s[^:3][^:]*|s3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).'
              ) = ''
              THEN REGEXP_EXTRACT(`v`, '^arn:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$')
              ELSE SUBSTRING(
                REGEXP_EXTRACT(`v`, '^arn:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$'),
                LENGTH(
                  REGEXP_EXTRACT(
                    `v`,
                    '^arn:[^:]*:(?:[^:s][^:]*|s|s[^:3][^:]*|s3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).'
                  )
                ) + 1
              )
            END,
            256
          ),
          1,
          12
        ),
        ''
      )
    )
    ELSE 'name_' || SUBSTRING(SHA2((
      SELECT
        k
      FROM tm_mask_key
    ) || ':principal:' || `v`, 256), 1, 12)
  END
END
