CASE
  WHEN "v" IS NULL
  THEN CAST(NULL AS VARCHAR)
  ELSE CASE
    WHEN REGEXP_EXTRACT("v", '^arn:[^:]*:[^:]*:[^:]*:([^:]*):', 1) = 'aws'
    THEN "v"
    WHEN REGEXP_LIKE("v", '^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+$')
    THEN CONCAT(
      COALESCE(CAST(REGEXP_EXTRACT("v", '^(arn:[^:]*:[^:]*:[^:]*:)[^:]*:.', 1) AS VARCHAR), ''),
      COALESCE(
        CAST(CASE
          WHEN REGEXP_EXTRACT("v", '^arn:[^:]*:[^:]*:[^:]*:([^:]*):', 1) IN ('', 'aws')
          THEN REGEXP_EXTRACT("v", '^arn:[^:]*:[^:]*:[^:]*:([^:]*):', 1)
          ELSE CONCAT(
            CAST('acct_' AS VARCHAR),
            CAST(SUBSTR(
              LOWER(
                TO_HEX(
                  SHA256(
                    TO_UTF8(
                      CONCAT(
                        CAST((
                          SELECT
                            k
                          FROM tm_mask_key
                        ) AS VARCHAR),
                        CAST(':account_id:' AS VARCHAR),
                        CAST(REGEXP_EXTRACT("v", '^arn:[^:]*:[^:]*:[^:]*:([^:]*):', 1) AS VARCHAR)
                      )
                    )
                  )
                )
              ),
              1,
              12
            ) AS VARCHAR)
          )
        END AS VARCHAR),
        ''
      ),
      COALESCE(CAST(':' AS VARCHAR), ''),
      COALESCE(
        CAST(REGEXP_EXTRACT(
          "v",
          '^arn:[^:]*:(?:[^:s][^:]*|s|s[^:3][^:]*|s3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
          1
        ) AS VARCHAR),
        ''
      ),
      COALESCE(
        CAST(CONCAT(
          CAST('name_' AS VARCHAR),
          CAST(SUBSTR(
            LOWER(
              TO_HEX(
                SHA256(
                  TO_UTF8(
                    CONCAT(
                      CAST((
                        SELECT
                          k
                        FROM tm_mask_key
                      ) AS VARCHAR),
                      CAST(':principal:' AS VARCHAR),
                      CAST(CASE
                        WHEN REGEXP_EXTRACT(
                          "v",
                          '^arn:[^:]*:(?:[^:s][^:]*|s|s[^:3][^:]*|s3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                          1
                        ) = ''
                        THEN REGEXP_EXTRACT("v", '^arn:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$', 1)
                        ELSE SUBSTR(
                          REGEXP_EXTRACT("v", '^arn:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$', 1),
                          LENGTH(
                            REGEXP_EXTRACT(
                              "v",
                              '^arn:[^:]*:(?:[^:s][^:]*|s|s[^:3][^:]*|s3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                              1
                            )
                          ) + 1
                        )
                      END AS VARCHAR)
                    )
                  )
                )
              )
            ),
            1,
            12
          ) AS VARCHAR)
        ) AS VARCHAR),
        ''
      )
    )
    ELSE CONCAT(
      CAST('name_' AS VARCHAR),
      CAST(SUBSTR(
        LOWER(
          TO_HEX(
            SHA256(
              TO_UTF8(
                CONCAT(
                  CAST((
                    SELECT
                      k
                    FROM tm_mask_key
                  ) AS VARCHAR),
                  CAST(':principal:' AS VARCHAR),
                  CAST("v" AS VARCHAR)
                )
              )
            )
          )
        ),
        1,
        12
      ) AS VARCHAR)
    )
  END
END
