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
          ELSE SUBSTR(
            CONCAT(
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
                          CAST(REGEXP_EXTRACT("v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1) AS VARCHAR)
                        )
                      )
                    )
                  )
                ),
                1,
                12
              ) AS VARCHAR)
            ),
            1,
            CAST(LENGTH(REGEXP_EXTRACT("v", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)) >= 1 AS INTEGER) * 128
          )
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
        CAST(SUBSTR(
          ARRAY_JOIN(
            TRANSFORM(
              REGEXP_EXTRACT_ALL(
                CONCAT(
                  CAST(CASE
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
                  END AS VARCHAR),
                  CAST('/' AS VARCHAR)
                ),
                '[^/]*/'
              ),
              tm_seg -> CONCAT(
                CAST(SUBSTR(
                  CONCAT(
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
                                CAST(SUBSTR(tm_seg, 1, LENGTH(tm_seg) - 1) AS VARCHAR)
                              )
                            )
                          )
                        )
                      ),
                      1,
                      12
                    ) AS VARCHAR)
                  ),
                  1,
                  CAST(LENGTH(SUBSTR(tm_seg, 1, LENGTH(tm_seg) - 1)) >= 1 AS INTEGER) * 128
                ) AS VARCHAR),
                CAST('/' AS VARCHAR)
              )
            ),
            ''
          ),
          1,
          LENGTH(
            ARRAY_JOIN(
              TRANSFORM(
                REGEXP_EXTRACT_ALL(
                  CONCAT(
                    CAST(CASE
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
                    END AS VARCHAR),
                    CAST('/' AS VARCHAR)
                  ),
                  '[^/]*/'
                ),
                tm_seg -> CONCAT(
                  CAST(SUBSTR(
                    CONCAT(
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
                                  CAST(SUBSTR(tm_seg, 1, LENGTH(tm_seg) - 1) AS VARCHAR)
                                )
                              )
                            )
                          )
                        ),
                        1,
                        12
                      ) AS VARCHAR)
                    ),
                    1,
                    CAST(LENGTH(SUBSTR(tm_seg, 1, LENGTH(tm_seg) - 1)) >= 1 AS INTEGER) * 128
                  ) AS VARCHAR),
                  CAST('/' AS VARCHAR)
                )
              ),
              ''
            )
          ) - 1
        ) AS VARCHAR),
        ''
      )
    )
    ELSE SUBSTR(
      CONCAT(
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
      ),
      1,
      CAST(LENGTH("v") >= 1 AS INTEGER) * 128
    )
  END
END
