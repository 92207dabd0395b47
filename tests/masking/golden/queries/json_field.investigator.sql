SELECT
  requestParameters ->> '$.bucketName' AS bucket,
  errorMessage
FROM (
  WITH tm_i AS NOT MATERIALIZED (
    SELECT
      tm_s.*,
      CASE
        WHEN REGEXP_MATCHES(
          CAST(tm_s."errorMessage" AS TEXT),
          '"(?i:[^"\\\x1f]*password[^"\\\x1f]*|[^"\\\x1f]*passwd[^"\\\x1f]*|[^"\\\x1f]*passphrase[^"\\\x1f]*|[^"\\\x1f]*secret|secretString|secretBinary|[^"\\\x1f]*secretAccessKey|[^"\\\x1f]*sessionToken|[^"\\\x1f]*accessToken|[^"\\\x1f]*refreshToken|idToken|[^"\\\x1f]*authToken|token|tokenCode|[^"\\\x1f]*privateKey[^"\\\x1f]*|[^"\\\x1f]*apiKey|authorization|userData)"\s*:\s*[\[{]'
        )
        THEN LIST_REDUCE(
          [0],
          LAMBDA tm_v0, tm_v0_x : CASE
            WHEN REGEXP_MATCHES(
              tm_v0,
              '"(?i:[^"\\\x1f]*password[^"\\\x1f]*|[^"\\\x1f]*passwd[^"\\\x1f]*|[^"\\\x1f]*passphrase[^"\\\x1f]*|[^"\\\x1f]*secret|secretString|secretBinary|[^"\\\x1f]*secretAccessKey|[^"\\\x1f]*sessionToken|[^"\\\x1f]*accessToken|[^"\\\x1f]*refreshToken|idToken|[^"\\\x1f]*authToken|token|tokenCode|[^"\\\x1f]*privateKey[^"\\\x1f]*|[^"\\\x1f]*apiKey|authorization|userData)"\s*:\s*[\[{]'
            )
            THEN TRANSLATE(
              LIST_REDUCE(
                REGEXP_EXTRACT_ALL(tm_v0, '[\[{]'),
                LAMBDA tm_acc, tm_b : REGEXP_REPLACE(
                  REGEXP_REPLACE(
                    REGEXP_REPLACE(
                      REGEXP_REPLACE(
                        REGEXP_REPLACE(
                          tm_acc,
                          '("(?i:[^"\\\x1f]*password[^"\\\x1f]*|[^"\\\x1f]*passwd[^"\\\x1f]*|[^"\\\x1f]*passphrase[^"\\\x1f]*|[^"\\\x1f]*secret|secretString|secretBinary|[^"\\\x1f]*secretAccessKey|[^"\\\x1f]*sessionToken|[^"\\\x1f]*accessToken|[^"\\\x1f]*refreshToken|idToken|[^"\\\x1f]*authToken|token|tokenCode|[^"\\\x1f]*privateKey[^"\\\x1f]*|[^"\\\x1f]*apiKey|authorization|userData)"\s*:\s*)(?:\{(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\}|\[(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\])',
                          '\1"[REDACTED:json_key]"',
                          'g'
                        ),
                        '\{((?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*)\}',
                        '\1',
                        'g'
                      ),
                      '("(?i:[^"\\\x1f]*password[^"\\\x1f]*|[^"\\\x1f]*passwd[^"\\\x1f]*|[^"\\\x1f]*passphrase[^"\\\x1f]*|[^"\\\x1f]*secret|secretString|secretBinary|[^"\\\x1f]*secretAccessKey|[^"\\\x1f]*sessionToken|[^"\\\x1f]*accessToken|[^"\\\x1f]*refreshToken|idToken|[^"\\\x1f]*authToken|token|tokenCode|[^"\\\x1f]*privateKey[^"\\\x1f]*|[^"\\\x1f]*apiKey|authorization|userData)"\s*:\s*)(?:\{(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\}|\[(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\])',
                      '\1"[REDACTED:json_key]"',
                      'g'
                    ),
                    '\[((?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*)\]',
                    '\1',
                    'g'
                  ),
                  '("(?i:[^"\\\x1f]*password[^"\\\x1f]*|[^"\\\x1f]*passwd[^"\\\x1f]*|[^"\\\x1f]*passphrase[^"\\\x1f]*|[^"\\\x1f]*secret|secretString|secretBinary|[^"\\\x1f]*secretAccessKey|[^"\\\x1f]*sessionToken|[^"\\\x1f]*accessToken|[^"\\\x1f]*refreshToken|idToken|[^"\\\x1f]*authToken|token|tokenCode|[^"\\\x1f]*privateKey[^"\\\x1f]*|[^"\\\x1f]*apiKey|authorization|userData)"\s*:\s*)(?:\{(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\}|\[(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\])',
                  '\1"[REDACTED:json_key]"',
                  'g'
                ),
                tm_v0
              ),
              '',
              '{}[]'
            )
            ELSE tm_v0
          END,
          CAST(tm_s."errorMessage" AS TEXT)
        )
        ELSE CAST(tm_s."errorMessage" AS TEXT)
      END AS "tm_f0",
      CASE
        WHEN REGEXP_MATCHES(CAST(tm_s."requestParameters" AS TEXT), '[:\[,]\s*-?[0-9]{12}')
        OR REGEXP_MATCHES(
          CAST(tm_s."requestParameters" AS TEXT),
          '"(?i:[^"\\\x1f]*password[^"\\\x1f]*|[^"\\\x1f]*passwd[^"\\\x1f]*|[^"\\\x1f]*passphrase[^"\\\x1f]*|[^"\\\x1f]*secret|secretString|secretBinary|[^"\\\x1f]*secretAccessKey|[^"\\\x1f]*sessionToken|[^"\\\x1f]*accessToken|[^"\\\x1f]*refreshToken|idToken|[^"\\\x1f]*authToken|token|tokenCode|[^"\\\x1f]*privateKey[^"\\\x1f]*|[^"\\\x1f]*apiKey|authorization|userData)"\s*:\s*[\[{]'
        )
        OR tm_s."eventSource" IN ('s3.amazonaws.com')
        OR tm_s."eventSource" IN (
          'ssm.amazonaws.com',
          'secretsmanager.amazonaws.com',
          'cloudtrail.amazonaws.com',
          'sns.amazonaws.com',
          'sqs.amazonaws.com',
          'logs.amazonaws.com'
        )
        OR (
          tm_s."eventSource" IN ('ssm.amazonaws.com')
          AND tm_s."eventName" IN ('PutParameter')
        )
        OR tm_s."eventSource" IN ('lambda.amazonaws.com')
        OR tm_s."eventSource" IN ('ecs.amazonaws.com', 'codebuild.amazonaws.com', 'batch.amazonaws.com')
        THEN LIST_REDUCE(
          [0],
          LAMBDA tm_v5, tm_v5_x : CASE
            WHEN tm_s."eventSource" IN ('s3.amazonaws.com')
            OR tm_s."eventSource" IN (
              'ssm.amazonaws.com',
              'secretsmanager.amazonaws.com',
              'cloudtrail.amazonaws.com',
              'sns.amazonaws.com',
              'sqs.amazonaws.com',
              'logs.amazonaws.com'
            )
            OR (
              tm_s."eventSource" IN ('ssm.amazonaws.com')
              AND tm_s."eventName" IN ('PutParameter')
            )
            OR tm_s."eventSource" IN ('lambda.amazonaws.com')
            OR tm_s."eventSource" IN ('ecs.amazonaws.com', 'codebuild.amazonaws.com', 'batch.amazonaws.com')
            THEN LIST_REDUCE(
              REGEXP_EXTRACT_ALL(
                tm_v5,
                '(?:"(?i:key)"\s*:\s*(?:"(?:[^"\\\x1f]|\\.)*"))|(?:"(?i:name)"\s*:\s*(?:"(?:[^"\\\x1f]|\\.)*"))|(?:"(?i:value)"\s*:\s*(?:"(?:[^"\\\x1f]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null))|(?:"(?i:variables)"\s*:\s*(?:"(?:[^"\\\x1f]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null))|(?:"(?i:value)"\s*:\s*(?:"(?:[^"\\\x1f]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null))'
              ),
              LAMBDA tm_acc, tm_m : REPLACE(
                tm_acc,
                tm_m,
                COALESCE(
                  CASE
                    WHEN tm_s."eventSource" IN ('s3.amazonaws.com')
                    AND REGEXP_MATCHES(tm_m, '^(?:"(?i:key)"\s*:\s*(?:"(?:[^"\\\x1f]|\\.)*"))$')
                    THEN CASE
                      WHEN SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1) IN ('"HIDDEN_DUE_TO_SECURITY_REASONS"', '"<sensitiveDataRemoved>"', '""')
                      THEN tm_m
                      ELSE CONCAT(
                        REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1),
                        '"',
                        REGEXP_REPLACE(
                          CASE
                            WHEN REGEXP_MATCHES(
                              SUBSTRING(
                                SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                2,
                                LENGTH(
                                  SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                ) - 2
                              ),
                              '^(?:AWSServiceRoleFor[A-Za-z0-9+=,.@_-]*|aws-service-role|aws-reserved|(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?)$'
                            )
                            THEN SUBSTRING(
                              SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                              2,
                              LENGTH(
                                SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                              ) - 2
                            )
                            WHEN STARTS_WITH(
                              SUBSTRING(
                                SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                2,
                                LENGTH(
                                  SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                ) - 2
                              ),
                              'AWSReservedSSO_'
                            )
                            THEN 'AWSReservedSSO_' || SUBSTRING(
                              'user_' || SUBSTRING(
                                SHA256(
                                  GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(
                                    SUBSTRING(
                                      SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                      2,
                                      LENGTH(
                                        SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                      ) - 2
                                    ),
                                    16
                                  )
                                ),
                                1,
                                12
                              ),
                              1,
                              CAST(LENGTH(
                                SUBSTRING(
                                  SUBSTRING(
                                    SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                    2,
                                    LENGTH(
                                      SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                    ) - 2
                                  ),
                                  16
                                )
                              ) >= 1 AS INT) * 128
                            )
                            ELSE SUBSTRING(
                              'user_' || SUBSTRING(
                                SHA256(
                                  GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(
                                    SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                    2,
                                    LENGTH(
                                      SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                    ) - 2
                                  )
                                ),
                                1,
                                12
                              ),
                              1,
                              CAST(LENGTH(
                                SUBSTRING(
                                  SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                  2,
                                  LENGTH(
                                    SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                  ) - 2
                                )
                              ) >= 1 AS INT) * 128
                            )
                          END,
                          '["\\]',
                          '',
                          'g'
                        ),
                        '"'
                      )
                    END
                    WHEN tm_s."eventSource" IN (
                      'ssm.amazonaws.com',
                      'secretsmanager.amazonaws.com',
                      'cloudtrail.amazonaws.com',
                      'sns.amazonaws.com',
                      'sqs.amazonaws.com',
                      'logs.amazonaws.com'
                    )
                    AND REGEXP_MATCHES(tm_m, '^(?:"(?i:name)"\s*:\s*(?:"(?:[^"\\\x1f]|\\.)*"))$')
                    THEN CASE
                      WHEN SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1) IN ('"HIDDEN_DUE_TO_SECURITY_REASONS"', '"<sensitiveDataRemoved>"', '""')
                      THEN tm_m
                      ELSE CONCAT(
                        REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1),
                        '"',
                        REGEXP_REPLACE(
                          CASE
                            WHEN REGEXP_MATCHES(
                              SUBSTRING(
                                SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                2,
                                LENGTH(
                                  SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                ) - 2
                              ),
                              '^(?:AWSServiceRoleFor[A-Za-z0-9+=,.@_-]*|aws-service-role|aws-reserved|(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?)$'
                            )
                            THEN SUBSTRING(
                              SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                              2,
                              LENGTH(
                                SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                              ) - 2
                            )
                            WHEN STARTS_WITH(
                              SUBSTRING(
                                SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                2,
                                LENGTH(
                                  SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                ) - 2
                              ),
                              'AWSReservedSSO_'
                            )
                            THEN 'AWSReservedSSO_' || SUBSTRING(
                              'user_' || SUBSTRING(
                                SHA256(
                                  GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(
                                    SUBSTRING(
                                      SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                      2,
                                      LENGTH(
                                        SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                      ) - 2
                                    ),
                                    16
                                  )
                                ),
                                1,
                                12
                              ),
                              1,
                              CAST(LENGTH(
                                SUBSTRING(
                                  SUBSTRING(
                                    SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                    2,
                                    LENGTH(
                                      SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                    ) - 2
                                  ),
                                  16
                                )
                              ) >= 1 AS INT) * 128
                            )
                            ELSE SUBSTRING(
                              'user_' || SUBSTRING(
                                SHA256(
                                  GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(
                                    SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                    2,
                                    LENGTH(
                                      SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                    ) - 2
                                  )
                                ),
                                1,
                                12
                              ),
                              1,
                              CAST(LENGTH(
                                SUBSTRING(
                                  SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                  2,
                                  LENGTH(
                                    SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                  ) - 2
                                )
                              ) >= 1 AS INT) * 128
                            )
                          END,
                          '["\\]',
                          '',
                          'g'
                        ),
                        '"'
                      )
                    END
                    WHEN (
                      tm_s."eventSource" IN ('ssm.amazonaws.com')
                      AND tm_s."eventName" IN ('PutParameter')
                    )
                    AND REGEXP_MATCHES(
                      tm_m,
                      '^(?:"(?i:value)"\s*:\s*(?:"(?:[^"\\\x1f]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null))$'
                    )
                    THEN CASE
                      WHEN SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1) IN ('"HIDDEN_DUE_TO_SECURITY_REASONS"', '"<sensitiveDataRemoved>"', '""')
                      THEN tm_m
                      ELSE CONCAT(
                        REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1),
                        '"',
                        '[REDACTED:json_key]',
                        '"'
                      )
                    END
                    WHEN tm_s."eventSource" IN ('lambda.amazonaws.com')
                    AND REGEXP_MATCHES(
                      tm_m,
                      '^(?:"(?i:variables)"\s*:\s*(?:"(?:[^"\\\x1f]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null))$'
                    )
                    THEN CASE
                      WHEN SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1) IN ('"HIDDEN_DUE_TO_SECURITY_REASONS"', '"<sensitiveDataRemoved>"', '""')
                      THEN tm_m
                      ELSE CONCAT(
                        REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1),
                        '"',
                        '[REDACTED:json_key]',
                        '"'
                      )
                    END
                    WHEN tm_s."eventSource" IN ('ecs.amazonaws.com', 'codebuild.amazonaws.com', 'batch.amazonaws.com')
                    AND REGEXP_MATCHES(
                      tm_m,
                      '^(?:"(?i:value)"\s*:\s*(?:"(?:[^"\\\x1f]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null))$'
                    )
                    THEN CASE
                      WHEN SUBSTRING(tm_m, LENGTH(REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1) IN ('"HIDDEN_DUE_TO_SECURITY_REASONS"', '"<sensitiveDataRemoved>"', '""')
                      THEN tm_m
                      ELSE CONCAT(
                        REGEXP_EXTRACT(tm_m, '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1),
                        '"',
                        '[REDACTED:json_key]',
                        '"'
                      )
                    END
                    ELSE tm_m
                  END,
                  '[REDACTED]'
                )
              ),
              tm_v5
            )
            ELSE tm_v5
          END,
          LIST_REDUCE(
            [0],
            LAMBDA tm_v4, tm_v4_x : CASE
              WHEN tm_s."eventSource" IN ('ecs.amazonaws.com', 'codebuild.amazonaws.com', 'batch.amazonaws.com')
              THEN CASE
                WHEN REGEXP_MATCHES(tm_v4, '"(?i:value)"\s*:\s*[\[{]')
                THEN TRANSLATE(
                  LIST_REDUCE(
                    REGEXP_EXTRACT_ALL(tm_v4, '[\[{]'),
                    LAMBDA tm_acc, tm_b : REGEXP_REPLACE(
                      REGEXP_REPLACE(
                        REGEXP_REPLACE(
                          REGEXP_REPLACE(
                            REGEXP_REPLACE(
                              tm_acc,
                              '("(?i:value)"\s*:\s*)(?:\{(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\}|\[(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\])',
                              '\1"[REDACTED:json_key]"',
                              'g'
                            ),
                            '\{((?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*)\}',
                            '\1',
                            'g'
                          ),
                          '("(?i:value)"\s*:\s*)(?:\{(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\}|\[(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\])',
                          '\1"[REDACTED:json_key]"',
                          'g'
                        ),
                        '\[((?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*)\]',
                        '\1',
                        'g'
                      ),
                      '("(?i:value)"\s*:\s*)(?:\{(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\}|\[(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\])',
                      '\1"[REDACTED:json_key]"',
                      'g'
                    ),
                    tm_v4
                  ),
                  '',
                  '{}[]'
                )
                ELSE tm_v4
              END
              ELSE tm_v4
            END,
            LIST_REDUCE(
              [0],
              LAMBDA tm_v3, tm_v3_x : CASE
                WHEN tm_s."eventSource" IN ('lambda.amazonaws.com')
                THEN CASE
                  WHEN REGEXP_MATCHES(tm_v3, '"(?i:variables)"\s*:\s*[\[{]')
                  THEN TRANSLATE(
                    LIST_REDUCE(
                      REGEXP_EXTRACT_ALL(tm_v3, '[\[{]'),
                      LAMBDA tm_acc, tm_b : REGEXP_REPLACE(
                        REGEXP_REPLACE(
                          REGEXP_REPLACE(
                            REGEXP_REPLACE(
                              REGEXP_REPLACE(
                                tm_acc,
                                '("(?i:variables)"\s*:\s*)(?:\{(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\}|\[(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\])',
                                '\1"[REDACTED:json_key]"',
                                'g'
                              ),
                              '\{((?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*)\}',
                              '\1',
                              'g'
                            ),
                            '("(?i:variables)"\s*:\s*)(?:\{(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\}|\[(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\])',
                            '\1"[REDACTED:json_key]"',
                            'g'
                          ),
                          '\[((?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*)\]',
                          '\1',
                          'g'
                        ),
                        '("(?i:variables)"\s*:\s*)(?:\{(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\}|\[(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\])',
                        '\1"[REDACTED:json_key]"',
                        'g'
                      ),
                      tm_v3
                    ),
                    '',
                    '{}[]'
                  )
                  ELSE tm_v3
                END
                ELSE tm_v3
              END,
              LIST_REDUCE(
                [0],
                LAMBDA tm_v2, tm_v2_x : CASE
                  WHEN tm_s."eventSource" IN ('ssm.amazonaws.com')
                  AND tm_s."eventName" IN ('PutParameter')
                  THEN CASE
                    WHEN REGEXP_MATCHES(tm_v2, '"(?i:value)"\s*:\s*[\[{]')
                    THEN TRANSLATE(
                      LIST_REDUCE(
                        REGEXP_EXTRACT_ALL(tm_v2, '[\[{]'),
                        LAMBDA tm_acc, tm_b : REGEXP_REPLACE(
                          REGEXP_REPLACE(
                            REGEXP_REPLACE(
                              REGEXP_REPLACE(
                                REGEXP_REPLACE(
                                  tm_acc,
                                  '("(?i:value)"\s*:\s*)(?:\{(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\}|\[(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\])',
                                  '\1"[REDACTED:json_key]"',
                                  'g'
                                ),
                                '\{((?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*)\}',
                                '\1',
                                'g'
                              ),
                              '("(?i:value)"\s*:\s*)(?:\{(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\}|\[(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\])',
                              '\1"[REDACTED:json_key]"',
                              'g'
                            ),
                            '\[((?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*)\]',
                            '\1',
                            'g'
                          ),
                          '("(?i:value)"\s*:\s*)(?:\{(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\}|\[(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\])',
                          '\1"[REDACTED:json_key]"',
                          'g'
                        ),
                        tm_v2
                      ),
                      '',
                      '{}[]'
                    )
                    ELSE tm_v2
                  END
                  ELSE tm_v2
                END,
                LIST_REDUCE(
                  [0],
                  LAMBDA tm_v1, tm_v1_x : CASE
                    WHEN REGEXP_MATCHES(tm_v1, '[:\[,]\s*-?[0-9]{12}')
                    THEN ARRAY_TO_STRING(
                      LIST_TRANSFORM(
                        REGEXP_EXTRACT_ALL(tm_v1, '"(?:[^"\\]|\\.)*"|[^"]+|"'),
                        LAMBDA tm_n : CASE
                          WHEN STARTS_WITH(tm_n, '"')
                          THEN tm_n
                          ELSE REGEXP_REPLACE(tm_n, '([:\[,]\s*)(-?[0-9]{12,}[0-9.eE+-]*)', '\1"\2"', 'g')
                        END
                      ),
                      ''
                    )
                    ELSE tm_v1
                  END,
                  LIST_REDUCE(
                    [0],
                    LAMBDA tm_v0, tm_v0_x : CASE
                      WHEN REGEXP_MATCHES(
                        tm_v0,
                        '"(?i:[^"\\\x1f]*password[^"\\\x1f]*|[^"\\\x1f]*passwd[^"\\\x1f]*|[^"\\\x1f]*passphrase[^"\\\x1f]*|[^"\\\x1f]*secret|secretString|secretBinary|[^"\\\x1f]*secretAccessKey|[^"\\\x1f]*sessionToken|[^"\\\x1f]*accessToken|[^"\\\x1f]*refreshToken|idToken|[^"\\\x1f]*authToken|token|tokenCode|[^"\\\x1f]*privateKey[^"\\\x1f]*|[^"\\\x1f]*apiKey|authorization|userData)"\s*:\s*[\[{]'
                      )
                      THEN TRANSLATE(
                        LIST_REDUCE(
                          REGEXP_EXTRACT_ALL(tm_v0, '[\[{]'),
                          LAMBDA tm_acc, tm_b : REGEXP_REPLACE(
                            REGEXP_REPLACE(
                              REGEXP_REPLACE(
                                REGEXP_REPLACE(
                                  REGEXP_REPLACE(
                                    tm_acc,
                                    '("(?i:[^"\\\x1f]*password[^"\\\x1f]*|[^"\\\x1f]*passwd[^"\\\x1f]*|[^"\\\x1f]*passphrase[^"\\\x1f]*|[^"\\\x1f]*secret|secretString|secretBinary|[^"\\\x1f]*secretAccessKey|[^"\\\x1f]*sessionToken|[^"\\\x1f]*accessToken|[^"\\\x1f]*refreshToken|idToken|[^"\\\x1f]*authToken|token|tokenCode|[^"\\\x1f]*privateKey[^"\\\x1f]*|[^"\\\x1f]*apiKey|authorization|userData)"\s*:\s*)(?:\{(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\}|\[(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\])',
                                    '\1"[REDACTED:json_key]"',
                                    'g'
                                  ),
                                  '\{((?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*)\}',
                                  '\1',
                                  'g'
                                ),
                                '("(?i:[^"\\\x1f]*password[^"\\\x1f]*|[^"\\\x1f]*passwd[^"\\\x1f]*|[^"\\\x1f]*passphrase[^"\\\x1f]*|[^"\\\x1f]*secret|secretString|secretBinary|[^"\\\x1f]*secretAccessKey|[^"\\\x1f]*sessionToken|[^"\\\x1f]*accessToken|[^"\\\x1f]*refreshToken|idToken|[^"\\\x1f]*authToken|token|tokenCode|[^"\\\x1f]*privateKey[^"\\\x1f]*|[^"\\\x1f]*apiKey|authorization|userData)"\s*:\s*)(?:\{(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\}|\[(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\])',
                                '\1"[REDACTED:json_key]"',
                                'g'
                              ),
                              '\[((?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*)\]',
                              '\1',
                              'g'
                            ),
                            '("(?i:[^"\\\x1f]*password[^"\\\x1f]*|[^"\\\x1f]*passwd[^"\\\x1f]*|[^"\\\x1f]*passphrase[^"\\\x1f]*|[^"\\\x1f]*secret|secretString|secretBinary|[^"\\\x1f]*secretAccessKey|[^"\\\x1f]*sessionToken|[^"\\\x1f]*accessToken|[^"\\\x1f]*refreshToken|idToken|[^"\\\x1f]*authToken|token|tokenCode|[^"\\\x1f]*privateKey[^"\\\x1f]*|[^"\\\x1f]*apiKey|authorization|userData)"\s*:\s*)(?:\{(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\}|\[(?:[^{}\[\]"]|"(?:[^"\\]|\\.)*")*\])',
                            '\1"[REDACTED:json_key]"',
                            'g'
                          ),
                          tm_v0
                        ),
                        '',
                        '{}[]'
                      )
                      ELSE tm_v0
                    END,
                    CAST(tm_s."requestParameters" AS TEXT)
                  )
                )
              )
            )
          )
        )
        ELSE CAST(tm_s."requestParameters" AS TEXT)
      END AS "tm_f1"
    FROM (
      SELECT
        *
      FROM main.events AS tm_w
      WHERE
        eventSource = 's3.amazonaws.com'
    ) AS tm_s
  ), tm_lk_0_t AS (
    SELECT DISTINCT
      UNNEST(["tm_f0", "tm_f1"]) AS "v"
    FROM tm_i
  ), tm_lk_0_o AS (
    SELECT
      tm_lk_0_t."v",
      UNNEST(
        REGEXP_EXTRACT_ALL(
          tm_lk_0_t."v",
          '(?:-----BEGIN [A-Z ]{0,30}PRIVATE KEY(?: BLOCK)?-----[A-Za-z0-9+/=\\ \t\r\n]*(?:-----END [A-Z ]{0,30}PRIVATE KEY(?: BLOCK)?-----)?)|(?:\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)|(?:\b(?:IQoJb3JpZ2lu|IQoXb3JpZ2lu|AgoJb3JpZ2lu|FwoGZXIvYXdz|AQoDYXdz)[A-Za-z0-9+/=]{16,})|(?:\b(?i:arn:aws(?:-[a-z]+)*):[A-Za-z0-9-]*:[A-Za-z0-9-]*:[A-Za-z0-9-]*:[^\s\"''\\,;<>()\[\]{}|\x1f]+)|(?:[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})|(?:\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{12,24}\b)|(?:\b(?:AIDA|AROA|AGPA|AIPA|ANPA|ANVA|APKA|ASCA)[A-Z0-9]{12,24}\b)|(?:\b(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|\b(?:[0-9A-Fa-f]{1,4}:){1,7}:(?:(?:[0-9A-Fa-f]{1,4}:){0,5}(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?|\B::(?:(?:[0-9A-Fa-f]{1,4}:){0,5}(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6}))|(?:\b(?:Mozilla|AppleWebKit|Chrome|Chromium|CriOS|Safari|Version|Edg|EdgA|EdgiOS|Firefox|FxiOS|OPR|Gecko|Mobile|YaBrowser|SamsungBrowser|Electron|Trident|Brave|Vivaldi)/[0-9]+(?:\.[0-9]+){1,3}\b)|(?:\b(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b)|(?:\b(?:[0-9][ -]?){12,18}[0-9]\b)|(?:\b[0-9]{12}\b)|(?:(?i:\b(?:password|passwd|pwd|secret|token|api[_-]?key|client[_-]?secret)\s*[=:]\s*)[^\s\"''\\,;&\x1f]+)|(?:[A-Za-z0-9+/=_-]{20,})'
        )
      ) AS "m"
    FROM tm_lk_0_t
  ), tm_lk_0_n AS (
    SELECT
      tm_q."m",
      COALESCE(
        CASE
          WHEN STARTS_WITH(tm_q."m", '-----')
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:-----BEGIN [A-Z ]{0,30}PRIVATE KEY(?: BLOCK)?-----[A-Za-z0-9+/=\\ \t\r\n]*(?:-----END [A-Z ]{0,30}PRIVATE KEY(?: BLOCK)?-----)?)$'
          )
          THEN tm_q."m"
          WHEN STARTS_WITH(tm_q."m", 'eyJ')
          AND REGEXP_MATCHES(tm_q."m", '^(?:\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)$')
          THEN tm_q."m"
          WHEN LENGTH(tm_q."m") >= 24
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:\b(?:IQoJb3JpZ2lu|IQoXb3JpZ2lu|AgoJb3JpZ2lu|FwoGZXIvYXdz|AQoDYXdz)[A-Za-z0-9+/=]{16,})$'
          )
          THEN tm_q."m"
          WHEN LOWER(SUBSTRING(tm_q."m", 1, 4)) = 'arn:'
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:\b(?i:arn:aws(?:-[a-z]+)*):[A-Za-z0-9-]*:[A-Za-z0-9-]*:[A-Za-z0-9-]*:[^\s\"''\\,;<>()\[\]{}|\x1f]+)$'
          )
          THEN tm_q."m"
          WHEN STRPOS(tm_q."m", '@') > 0
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})$'
          )
          THEN tm_q."m"
          WHEN STARTS_WITH(tm_q."m", 'A')
          AND REGEXP_MATCHES(tm_q."m", '^(?:\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{12,24}\b)$')
          THEN tm_q."m"
          WHEN STARTS_WITH(tm_q."m", 'A')
          AND REGEXP_MATCHES(tm_q."m", '^(?:\b(?:AIDA|AROA|AGPA|AIPA|ANPA|ANVA|APKA|ASCA)[A-Z0-9]{12,24}\b)$')
          THEN tm_q."m"
          WHEN STRPOS(tm_q."m", ':') > 0
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:\b(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|\b(?:[0-9A-Fa-f]{1,4}:){1,7}:(?:(?:[0-9A-Fa-f]{1,4}:){0,5}(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?|\B::(?:(?:[0-9A-Fa-f]{1,4}:){0,5}(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6}))$'
          )
          THEN tm_q."m"
          WHEN STRPOS(tm_q."m", '/') > 0
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:\b(?:Mozilla|AppleWebKit|Chrome|Chromium|CriOS|Safari|Version|Edg|EdgA|EdgiOS|Firefox|FxiOS|OPR|Gecko|Mobile|YaBrowser|SamsungBrowser|Electron|Trident|Brave|Vivaldi)/[0-9]+(?:\.[0-9]+){1,3}\b)$'
          )
          THEN tm_q."m"
          WHEN STRPOS(tm_q."m", '.') > 0
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:\b(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b)$'
          )
          THEN tm_q."m"
          WHEN (
            LENGTH(tm_q."m") >= 13
            AND REGEXP_MATCHES(tm_q."m", '^(?:\b(?:[0-9][ -]?){12,18}[0-9]\b)$')
          )
          AND (
            LENGTH(
              REPLACE(
                REPLACE(
                  REPLACE(
                    REPLACE(
                      REPLACE(
                        REPLACE(
                          REPLACE(
                            REPLACE(
                              REPLACE(
                                REPLACE(
                                  CONCAT(
                                    REGEXP_REPLACE(RPAD(REVERSE(REGEXP_REPLACE(tm_q."m", '[^0-9]', '', 'g')), 20, '0'), '(.).', '\1', 'g'),
                                    TRANSLATE(
                                      REGEXP_REPLACE(RPAD(REVERSE(REGEXP_REPLACE(tm_q."m", '[^0-9]', '', 'g')), 20, '0'), '.(.)', '\1', 'g'),
                                      '0123456789',
                                      '0246813579'
                                    )
                                  ),
                                  '0',
                                  ''
                                ),
                                '1',
                                'x'
                              ),
                              '2',
                              'xx'
                            ),
                            '3',
                            'xxx'
                          ),
                          '4',
                          'xxxx'
                        ),
                        '5',
                        'xxxxx'
                      ),
                      '6',
                      'xxxxxx'
                    ),
                    '7',
                    'xxxxxxx'
                  ),
                  '8',
                  'xxxxxxxx'
                ),
                '9',
                'xxxxxxxxx'
              )
            ) % 10
          ) = 0
          THEN CONCAT('', '[REDACTED:card]', '')
          WHEN LENGTH(tm_q."m") >= 13
          AND REGEXP_MATCHES(tm_q."m", '^(?:\b(?:[0-9][ -]?){12,18}[0-9]\b)$')
          THEN tm_q."m"
          WHEN LENGTH(tm_q."m") = 12 AND REGEXP_MATCHES(tm_q."m", '^(?:\b[0-9]{12}\b)$')
          THEN tm_q."m"
          WHEN LOWER(SUBSTRING(tm_q."m", 1, 1)) IN ('p', 's', 't', 'a', 'c')
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:(?i:\b(?:password|passwd|pwd|secret|token|api[_-]?key|client[_-]?secret)\s*[=:]\s*)[^\s\"''\\,;&\x1f]+)$'
          )
          THEN tm_q."m"
          WHEN (
            LENGTH(tm_q."m") >= 20
            AND REGEXP_MATCHES(tm_q."m", '^(?:[A-Za-z0-9+/=_-]{20,})$')
          )
          AND (
            (
              (
                LENGTH(tm_q."m") = 40 AND REGEXP_MATCHES(tm_q."m", '^[A-Za-z0-9/+]{40}$')
              )
              AND (
                REGEXP_MATCHES(tm_q."m", '[A-Z]')
                AND REGEXP_MATCHES(tm_q."m", '[a-z]')
                AND REGEXP_MATCHES(tm_q."m", '[0-9]')
              )
            )
            OR (
              (
                LENGTH(tm_q."m") - LENGTH(REGEXP_REPLACE(tm_q."m", '[A-Z]', '', 'g'))
              ) >= 2
              AND (
                LENGTH(tm_q."m") - LENGTH(REGEXP_REPLACE(tm_q."m", '[a-z]', '', 'g'))
              ) >= 2
              AND (
                LENGTH(tm_q."m") - LENGTH(REGEXP_REPLACE(tm_q."m", '[0-9]', '', 'g'))
              ) >= 2
              AND NOT (
                REGEXP_MATCHES(tm_q."m", '[a-z]{5}')
              )
            )
          )
          THEN CONCAT(
            '',
            CASE
              WHEN LENGTH(tm_q."m") = 40 AND REGEXP_MATCHES(tm_q."m", '^[A-Za-z0-9/+]{40}$')
              THEN '[REDACTED:aws_secret_key]'
              ELSE '[REDACTED:high_entropy]'
            END,
            ''
          )
          WHEN LENGTH(tm_q."m") >= 20
          AND REGEXP_MATCHES(tm_q."m", '^(?:[A-Za-z0-9+/=_-]{20,})$')
          THEN tm_q."m"
          ELSE tm_q."m"
        END,
        '[REDACTED]'
      ) AS "r"
    FROM (
      SELECT DISTINCT
        "m"
      FROM tm_lk_0_o
    ) AS tm_q
  ), tm_lk_0_p AS (
    SELECT
      tm_lk_0_o."v",
      ARRAY_AGG({'l': LENGTH(tm_lk_0_o."m"), 'm': tm_lk_0_o."m", 'r': tm_lk_0_n."r"}) FILTER(WHERE
        NOT (
          tm_lk_0_o."m" = tm_lk_0_n."r"
        )) AS "map"
    FROM tm_lk_0_o
    LEFT JOIN tm_lk_0_n
      ON tm_lk_0_o."m" = tm_lk_0_n."m"
    GROUP BY
      tm_lk_0_o."v"
  ), tm_lk_0 AS (
    SELECT
      tm_lk_0_t."v",
      COALESCE(
        LIST_REDUCE(
          ARRAY_REVERSE_SORT(tm_lk_0_p."map"),
          LAMBDA tm_acc, tm_p : REPLACE(tm_acc, tm_p."m", tm_p."r"),
          tm_lk_0_t."v"
        ),
        tm_lk_0_t."v"
      ) AS "r"
    FROM tm_lk_0_t
    LEFT JOIN tm_lk_0_p
      ON tm_lk_0_p."v" = tm_lk_0_t."v"
  ), tm_lk_1_t AS (
    SELECT DISTINCT
      "r" AS "v"
    FROM tm_lk_0
  ), tm_lk_1_o AS (
    SELECT
      tm_lk_1_t."v",
      UNNEST(
        REGEXP_EXTRACT_ALL(
          tm_lk_1_t."v",
          '(?:"(?i:[^"\\\x1f]*password[^"\\\x1f]*|[^"\\\x1f]*passwd[^"\\\x1f]*|[^"\\\x1f]*passphrase[^"\\\x1f]*|[^"\\\x1f]*secret|secretString|secretBinary|[^"\\\x1f]*secretAccessKey|[^"\\\x1f]*sessionToken|[^"\\\x1f]*accessToken|[^"\\\x1f]*refreshToken|idToken|[^"\\\x1f]*authToken|token|tokenCode|[^"\\\x1f]*privateKey[^"\\\x1f]*|[^"\\\x1f]*apiKey|authorization|userData)"\s*:\s*(?:"(?:[^"\\\x1f]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null))|(?:"(?i:userName|newUserName|username|masterUsername|instanceOSUser|fullName|roleSessionName|sourceIdentity|roleName|groupName|policyName|instanceProfileName|[^"\\\x1f]*BucketName|targetBucket|s3Bucket|trailName|[^"\\\x1f]*LogGroupName|logStreamName|topicName|queueName|tableName|repositoryName|keyName|aliasName|dBName|databaseName|dB[^"\\\x1f]*Identifier|configurationRecorderName|deliveryChannelName|computerName|host|privateDnsName|DB_HOST)"\s*:\s*(?:"(?:[^"\\\x1f]|\\.)*"))|(?:"(?i:functionName|secretId|[^"\\\x1f]*Arn)"\s*:\s*(?:"(?:[^"\\\x1f]|\\.)*"))|(?:"(?i:email|emailAddress|[^"\\\x1f]*Email)"\s*:\s*(?:"(?:[^"\\\x1f]|\\.)*"))|(?:-----BEGIN [A-Z ]{0,30}PRIVATE KEY(?: BLOCK)?-----[A-Za-z0-9+/=\\ \t\r\n]*(?:-----END [A-Z ]{0,30}PRIVATE KEY(?: BLOCK)?-----)?)|(?:\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)|(?:\b(?:IQoJb3JpZ2lu|IQoXb3JpZ2lu|AgoJb3JpZ2lu|FwoGZXIvYXdz|AQoDYXdz)[A-Za-z0-9+/=]{16,})|(?:\b(?i:arn:aws(?:-[a-z]+)*):[A-Za-z0-9-]*:[A-Za-z0-9-]*:[A-Za-z0-9-]*:[^\s\"''\\,;<>()\[\]{}|\x1f]+)|(?:[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})|(?:\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{12,24}\b)|(?:\b(?:AIDA|AROA|AGPA|AIPA|ANPA|ANVA|APKA|ASCA)[A-Z0-9]{12,24}\b)|(?:\b(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|\b(?:[0-9A-Fa-f]{1,4}:){1,7}:(?:(?:[0-9A-Fa-f]{1,4}:){0,5}(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?|\B::(?:(?:[0-9A-Fa-f]{1,4}:){0,5}(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6}))|(?:\b(?:Mozilla|AppleWebKit|Chrome|Chromium|CriOS|Safari|Version|Edg|EdgA|EdgiOS|Firefox|FxiOS|OPR|Gecko|Mobile|YaBrowser|SamsungBrowser|Electron|Trident|Brave|Vivaldi)/[0-9]+(?:\.[0-9]+){1,3}\b)|(?:\b(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b)|(?:\b[0-9]{12}\b)|(?:(?i:\b(?:password|passwd|pwd|secret|token|api[_-]?key|client[_-]?secret)\s*[=:]\s*)[^\s\"''\\,;&\x1f]+)'
        )
      ) AS "m"
    FROM tm_lk_1_t
  ), tm_lk_1_n AS (
    SELECT
      tm_q."m",
      COALESCE(
        CASE
          WHEN STARTS_WITH(tm_q."m", '"')
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:"(?i:[^"\\\x1f]*password[^"\\\x1f]*|[^"\\\x1f]*passwd[^"\\\x1f]*|[^"\\\x1f]*passphrase[^"\\\x1f]*|[^"\\\x1f]*secret|secretString|secretBinary|[^"\\\x1f]*secretAccessKey|[^"\\\x1f]*sessionToken|[^"\\\x1f]*accessToken|[^"\\\x1f]*refreshToken|idToken|[^"\\\x1f]*authToken|token|tokenCode|[^"\\\x1f]*privateKey[^"\\\x1f]*|[^"\\\x1f]*apiKey|authorization|userData)"\s*:\s*(?:"(?:[^"\\\x1f]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null))$'
          )
          THEN CASE
            WHEN SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1) IN ('"HIDDEN_DUE_TO_SECURITY_REASONS"', '"<sensitiveDataRemoved>"', '""')
            THEN tm_q."m"
            ELSE CONCAT(
              REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1),
              '"',
              '[REDACTED:json_key]',
              '"'
            )
          END
          WHEN STARTS_WITH(tm_q."m", '"')
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:"(?i:userName|newUserName|username|masterUsername|instanceOSUser|fullName|roleSessionName|sourceIdentity|roleName|groupName|policyName|instanceProfileName|[^"\\\x1f]*BucketName|targetBucket|s3Bucket|trailName|[^"\\\x1f]*LogGroupName|logStreamName|topicName|queueName|tableName|repositoryName|keyName|aliasName|dBName|databaseName|dB[^"\\\x1f]*Identifier|configurationRecorderName|deliveryChannelName|computerName|host|privateDnsName|DB_HOST)"\s*:\s*(?:"(?:[^"\\\x1f]|\\.)*"))$'
          )
          THEN CASE
            WHEN SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1) IN ('"HIDDEN_DUE_TO_SECURITY_REASONS"', '"<sensitiveDataRemoved>"', '""')
            THEN tm_q."m"
            ELSE CONCAT(
              REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1),
              '"',
              REGEXP_REPLACE(
                CASE
                  WHEN REGEXP_MATCHES(
                    SUBSTRING(
                      SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                      2,
                      LENGTH(
                        SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                      ) - 2
                    ),
                    '^(?:AWSServiceRoleFor[A-Za-z0-9+=,.@_-]*|aws-service-role|aws-reserved|(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?)$'
                  )
                  THEN SUBSTRING(
                    SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                    2,
                    LENGTH(
                      SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                    ) - 2
                  )
                  WHEN STARTS_WITH(
                    SUBSTRING(
                      SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                      2,
                      LENGTH(
                        SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                      ) - 2
                    ),
                    'AWSReservedSSO_'
                  )
                  THEN 'AWSReservedSSO_' || SUBSTRING(
                    'user_' || SUBSTRING(
                      SHA256(
                        GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(
                          SUBSTRING(
                            SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                            2,
                            LENGTH(
                              SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                            ) - 2
                          ),
                          16
                        )
                      ),
                      1,
                      12
                    ),
                    1,
                    CAST(LENGTH(
                      SUBSTRING(
                        SUBSTRING(
                          SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                          2,
                          LENGTH(
                            SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                          ) - 2
                        ),
                        16
                      )
                    ) >= 1 AS INT) * 128
                  )
                  ELSE SUBSTRING(
                    'user_' || SUBSTRING(
                      SHA256(
                        GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(
                          SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                          2,
                          LENGTH(
                            SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                          ) - 2
                        )
                      ),
                      1,
                      12
                    ),
                    1,
                    CAST(LENGTH(
                      SUBSTRING(
                        SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                        2,
                        LENGTH(
                          SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                        ) - 2
                      )
                    ) >= 1 AS INT) * 128
                  )
                END,
                '["\\]',
                '',
                'g'
              ),
              '"'
            )
          END
          WHEN STARTS_WITH(tm_q."m", '"')
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:"(?i:functionName|secretId|[^"\\\x1f]*Arn)"\s*:\s*(?:"(?:[^"\\\x1f]|\\.)*"))$'
          )
          THEN CASE
            WHEN SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1) IN ('"HIDDEN_DUE_TO_SECURITY_REASONS"', '"<sensitiveDataRemoved>"', '""')
            THEN tm_q."m"
            ELSE CONCAT(
              REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1),
              '"',
              REGEXP_REPLACE(
                CASE
                  WHEN LOWER(
                    REGEXP_EXTRACT(
                      SUBSTRING(
                        SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                        2,
                        LENGTH(
                          SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                        ) - 2
                      ),
                      '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):',
                      1
                    )
                  ) = 'aws'
                  THEN SUBSTRING(
                    SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                    2,
                    LENGTH(
                      SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                    ) - 2
                  )
                  WHEN REGEXP_MATCHES(
                    SUBSTRING(
                      SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                      2,
                      LENGTH(
                        SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                      ) - 2
                    ),
                    '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:.+$'
                  )
                  THEN CONCAT(
                    REGEXP_EXTRACT(
                      SUBSTRING(
                        SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                        2,
                        LENGTH(
                          SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                        ) - 2
                      ),
                      '^([Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:)[^:]*:.',
                      1
                    ),
                    CASE
                      WHEN LOWER(
                        REGEXP_EXTRACT(
                          SUBSTRING(
                            SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                            2,
                            LENGTH(
                              SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                            ) - 2
                          ),
                          '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):',
                          1
                        )
                      ) IN ('', 'aws')
                      THEN REGEXP_EXTRACT(
                        SUBSTRING(
                          SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                          2,
                          LENGTH(
                            SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                          ) - 2
                        ),
                        '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):',
                        1
                      )
                      ELSE SUBSTRING(
                        'acct_' || SUBSTRING(
                          SHA256(
                            GETVARIABLE('tm_mask_key__k') || ':account_id:' || REGEXP_EXTRACT(
                              SUBSTRING(
                                SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                2,
                                LENGTH(
                                  SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                ) - 2
                              ),
                              '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):',
                              1
                            )
                          ),
                          1,
                          12
                        ),
                        1,
                        CAST(LENGTH(
                          REGEXP_EXTRACT(
                            SUBSTRING(
                              SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                              2,
                              LENGTH(
                                SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                              ) - 2
                            ),
                            '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):',
                            1
                          )
                        ) >= 1 AS INT) * 128
                      )
                    END,
                    ':',
                    REGEXP_EXTRACT(
                      SUBSTRING(
                        SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                        2,
                        LENGTH(
                          SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                        ) - 2
                      ),
                      '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                      1
                    ),
                    SUBSTRING(
                      ARRAY_TO_STRING(
                        LIST_TRANSFORM(
                          REGEXP_EXTRACT_ALL(
                            CASE
                              WHEN REGEXP_EXTRACT(
                                SUBSTRING(
                                  SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                  2,
                                  LENGTH(
                                    SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                  ) - 2
                                ),
                                '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                                1
                              ) = ''
                              THEN REGEXP_EXTRACT(
                                SUBSTRING(
                                  SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                  2,
                                  LENGTH(
                                    SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                  ) - 2
                                ),
                                '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$',
                                1
                              )
                              ELSE SUBSTRING(
                                REGEXP_EXTRACT(
                                  SUBSTRING(
                                    SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                    2,
                                    LENGTH(
                                      SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                    ) - 2
                                  ),
                                  '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$',
                                  1
                                ),
                                LENGTH(
                                  REGEXP_EXTRACT(
                                    SUBSTRING(
                                      SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                      2,
                                      LENGTH(
                                        SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                      ) - 2
                                    ),
                                    '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                                    1
                                  )
                                ) + 1
                              )
                            END || '/',
                            '[^/]*/'
                          ),
                          LAMBDA tm_seg : CASE
                            WHEN REGEXP_MATCHES(
                              SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1),
                              '^(?:AWSServiceRoleFor[A-Za-z0-9+=,.@_-]*|aws-service-role|aws-reserved|(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?)$'
                            )
                            THEN SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)
                            WHEN STARTS_WITH(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1), 'AWSReservedSSO_')
                            THEN 'AWSReservedSSO_' || SUBSTRING(
                              'user_' || SUBSTRING(
                                SHA256(
                                  GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1), 16)
                                ),
                                1,
                                12
                              ),
                              1,
                              CAST(LENGTH(SUBSTRING(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1), 16)) >= 1 AS INT) * 128
                            )
                            ELSE SUBSTRING(
                              'user_' || SUBSTRING(
                                SHA256(
                                  GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)
                                ),
                                1,
                                12
                              ),
                              1,
                              CAST(LENGTH(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)) >= 1 AS INT) * 128
                            )
                          END || '/'
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
                                  SUBSTRING(
                                    SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                    2,
                                    LENGTH(
                                      SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                    ) - 2
                                  ),
                                  '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                                  1
                                ) = ''
                                THEN REGEXP_EXTRACT(
                                  SUBSTRING(
                                    SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                    2,
                                    LENGTH(
                                      SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                    ) - 2
                                  ),
                                  '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$',
                                  1
                                )
                                ELSE SUBSTRING(
                                  REGEXP_EXTRACT(
                                    SUBSTRING(
                                      SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                      2,
                                      LENGTH(
                                        SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                      ) - 2
                                    ),
                                    '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$',
                                    1
                                  ),
                                  LENGTH(
                                    REGEXP_EXTRACT(
                                      SUBSTRING(
                                        SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                                        2,
                                        LENGTH(
                                          SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                                        ) - 2
                                      ),
                                      '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                                      1
                                    )
                                  ) + 1
                                )
                              END || '/',
                              '[^/]*/'
                            ),
                            LAMBDA tm_seg : CASE
                              WHEN REGEXP_MATCHES(
                                SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1),
                                '^(?:AWSServiceRoleFor[A-Za-z0-9+=,.@_-]*|aws-service-role|aws-reserved|(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?)$'
                              )
                              THEN SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)
                              WHEN STARTS_WITH(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1), 'AWSReservedSSO_')
                              THEN 'AWSReservedSSO_' || SUBSTRING(
                                'user_' || SUBSTRING(
                                  SHA256(
                                    GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1), 16)
                                  ),
                                  1,
                                  12
                                ),
                                1,
                                CAST(LENGTH(SUBSTRING(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1), 16)) >= 1 AS INT) * 128
                              )
                              ELSE SUBSTRING(
                                'user_' || SUBSTRING(
                                  SHA256(
                                    GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)
                                  ),
                                  1,
                                  12
                                ),
                                1,
                                CAST(LENGTH(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)) >= 1 AS INT) * 128
                              )
                            END || '/'
                          ),
                          ''
                        )
                      ) - 1
                    )
                  )
                  ELSE CASE
                    WHEN REGEXP_MATCHES(
                      SUBSTRING(
                        SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                        2,
                        LENGTH(
                          SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                        ) - 2
                      ),
                      '^(?:AWSServiceRoleFor[A-Za-z0-9+=,.@_-]*|aws-service-role|aws-reserved|(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?)$'
                    )
                    THEN SUBSTRING(
                      SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                      2,
                      LENGTH(
                        SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                      ) - 2
                    )
                    WHEN STARTS_WITH(
                      SUBSTRING(
                        SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                        2,
                        LENGTH(
                          SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                        ) - 2
                      ),
                      'AWSReservedSSO_'
                    )
                    THEN 'AWSReservedSSO_' || SUBSTRING(
                      'user_' || SUBSTRING(
                        SHA256(
                          GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(
                            SUBSTRING(
                              SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                              2,
                              LENGTH(
                                SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                              ) - 2
                            ),
                            16
                          )
                        ),
                        1,
                        12
                      ),
                      1,
                      CAST(LENGTH(
                        SUBSTRING(
                          SUBSTRING(
                            SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                            2,
                            LENGTH(
                              SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                            ) - 2
                          ),
                          16
                        )
                      ) >= 1 AS INT) * 128
                    )
                    ELSE SUBSTRING(
                      'user_' || SUBSTRING(
                        SHA256(
                          GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(
                            SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                            2,
                            LENGTH(
                              SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                            ) - 2
                          )
                        ),
                        1,
                        12
                      ),
                      1,
                      CAST(LENGTH(
                        SUBSTRING(
                          SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                          2,
                          LENGTH(
                            SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                          ) - 2
                        )
                      ) >= 1 AS INT) * 128
                    )
                  END
                END,
                '["\\]',
                '',
                'g'
              ),
              '"'
            )
          END
          WHEN STARTS_WITH(tm_q."m", '"')
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:"(?i:email|emailAddress|[^"\\\x1f]*Email)"\s*:\s*(?:"(?:[^"\\\x1f]|\\.)*"))$'
          )
          THEN CASE
            WHEN SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1) IN ('"HIDDEN_DUE_TO_SECURITY_REASONS"', '"<sensitiveDataRemoved>"', '""')
            THEN tm_q."m"
            ELSE CONCAT(
              REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1),
              '"',
              REGEXP_REPLACE(
                CASE
                  WHEN REGEXP_MATCHES(
                    SUBSTRING(
                      SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                      2,
                      LENGTH(
                        SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                      ) - 2
                    ),
                    '^[^@\s]+@[^@\s]+\.[^@\s]+$'
                  )
                  THEN 'masked@' || REGEXP_EXTRACT(
                    SUBSTRING(
                      SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1),
                      2,
                      LENGTH(
                        SUBSTRING(tm_q."m", LENGTH(REGEXP_EXTRACT(tm_q."m", '^("(?:[^"\\]|\\.)*"\s*:\s*)', 1)) + 1)
                      ) - 2
                    ),
                    '@([^@]+)$',
                    1
                  )
                  ELSE 'XXXXX'
                END,
                '["\\]',
                '',
                'g'
              ),
              '"'
            )
          END
          WHEN STARTS_WITH(tm_q."m", '-----')
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:-----BEGIN [A-Z ]{0,30}PRIVATE KEY(?: BLOCK)?-----[A-Za-z0-9+/=\\ \t\r\n]*(?:-----END [A-Z ]{0,30}PRIVATE KEY(?: BLOCK)?-----)?)$'
          )
          THEN '[REDACTED:private_key]'
          WHEN STARTS_WITH(tm_q."m", 'eyJ')
          AND REGEXP_MATCHES(tm_q."m", '^(?:\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)$')
          THEN '[REDACTED:jwt]'
          WHEN LENGTH(tm_q."m") >= 24
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:\b(?:IQoJb3JpZ2lu|IQoXb3JpZ2lu|AgoJb3JpZ2lu|FwoGZXIvYXdz|AQoDYXdz)[A-Za-z0-9+/=]{16,})$'
          )
          THEN '[REDACTED:session_token]'
          WHEN LOWER(SUBSTRING(tm_q."m", 1, 4)) = 'arn:'
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:\b(?i:arn:aws(?:-[a-z]+)*):[A-Za-z0-9-]*:[A-Za-z0-9-]*:[A-Za-z0-9-]*:[^\s\"''\\,;<>()\[\]{}|\x1f]+)$'
          )
          THEN REGEXP_REPLACE(
            CASE
              WHEN LOWER(REGEXP_EXTRACT(tm_q."m", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)) = 'aws'
              THEN tm_q."m"
              WHEN REGEXP_MATCHES(tm_q."m", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:.+$')
              THEN CONCAT(
                REGEXP_EXTRACT(tm_q."m", '^([Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:)[^:]*:.', 1),
                CASE
                  WHEN LOWER(REGEXP_EXTRACT(tm_q."m", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)) IN ('', 'aws')
                  THEN REGEXP_EXTRACT(tm_q."m", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)
                  ELSE SUBSTRING(
                    'acct_' || SUBSTRING(
                      SHA256(
                        GETVARIABLE('tm_mask_key__k') || ':account_id:' || REGEXP_EXTRACT(tm_q."m", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)
                      ),
                      1,
                      12
                    ),
                    1,
                    CAST(LENGTH(REGEXP_EXTRACT(tm_q."m", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:([^:]*):', 1)) >= 1 AS INT) * 128
                  )
                END,
                ':',
                REGEXP_EXTRACT(
                  tm_q."m",
                  '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                  1
                ),
                SUBSTRING(
                  ARRAY_TO_STRING(
                    LIST_TRANSFORM(
                      REGEXP_EXTRACT_ALL(
                        CASE
                          WHEN REGEXP_EXTRACT(
                            tm_q."m",
                            '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                            1
                          ) = ''
                          THEN REGEXP_EXTRACT(tm_q."m", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$', 1)
                          ELSE SUBSTRING(
                            REGEXP_EXTRACT(tm_q."m", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$', 1),
                            LENGTH(
                              REGEXP_EXTRACT(
                                tm_q."m",
                                '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                                1
                              )
                            ) + 1
                          )
                        END || '/',
                        '[^/]*/'
                      ),
                      LAMBDA tm_seg : CASE
                        WHEN REGEXP_MATCHES(
                          SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1),
                          '^(?:AWSServiceRoleFor[A-Za-z0-9+=,.@_-]*|aws-service-role|aws-reserved|(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?)$'
                        )
                        THEN SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)
                        WHEN STARTS_WITH(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1), 'AWSReservedSSO_')
                        THEN 'AWSReservedSSO_' || SUBSTRING(
                          'user_' || SUBSTRING(
                            SHA256(
                              GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1), 16)
                            ),
                            1,
                            12
                          ),
                          1,
                          CAST(LENGTH(SUBSTRING(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1), 16)) >= 1 AS INT) * 128
                        )
                        ELSE SUBSTRING(
                          'user_' || SUBSTRING(
                            SHA256(
                              GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)
                            ),
                            1,
                            12
                          ),
                          1,
                          CAST(LENGTH(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)) >= 1 AS INT) * 128
                        )
                      END || '/'
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
                              tm_q."m",
                              '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                              1
                            ) = ''
                            THEN REGEXP_EXTRACT(tm_q."m", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$', 1)
                            ELSE SUBSTRING(
                              REGEXP_EXTRACT(tm_q."m", '^[Aa][Rr][Nn]:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$', 1),
                              LENGTH(
                                REGEXP_EXTRACT(
                                  tm_q."m",
                                  '^[Aa][Rr][Nn]:[^:]*:(?:[^:sS][^:]*|[sS]|[sS][^:3][^:]*|[sS]3[^:]+):[^:]*:[^:]*:([A-Za-z0-9-]+[/:]).',
                                  1
                                )
                              ) + 1
                            )
                          END || '/',
                          '[^/]*/'
                        ),
                        LAMBDA tm_seg : CASE
                          WHEN REGEXP_MATCHES(
                            SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1),
                            '^(?:AWSServiceRoleFor[A-Za-z0-9+=,.@_-]*|aws-service-role|aws-reserved|(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?)$'
                          )
                          THEN SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)
                          WHEN STARTS_WITH(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1), 'AWSReservedSSO_')
                          THEN 'AWSReservedSSO_' || SUBSTRING(
                            'user_' || SUBSTRING(
                              SHA256(
                                GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1), 16)
                              ),
                              1,
                              12
                            ),
                            1,
                            CAST(LENGTH(SUBSTRING(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1), 16)) >= 1 AS INT) * 128
                          )
                          ELSE SUBSTRING(
                            'user_' || SUBSTRING(
                              SHA256(
                                GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)
                              ),
                              1,
                              12
                            ),
                            1,
                            CAST(LENGTH(SUBSTRING(tm_seg, 1, LENGTH(tm_seg) - 1)) >= 1 AS INT) * 128
                          )
                        END || '/'
                      ),
                      ''
                    )
                  ) - 1
                )
              )
              ELSE CASE
                WHEN REGEXP_MATCHES(
                  tm_q."m",
                  '^(?:AWSServiceRoleFor[A-Za-z0-9+=,.@_-]*|aws-service-role|aws-reserved|(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?)$'
                )
                THEN tm_q."m"
                WHEN STARTS_WITH(tm_q."m", 'AWSReservedSSO_')
                THEN 'AWSReservedSSO_' || SUBSTRING(
                  'user_' || SUBSTRING(
                    SHA256(GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(tm_q."m", 16)),
                    1,
                    12
                  ),
                  1,
                  CAST(LENGTH(SUBSTRING(tm_q."m", 16)) >= 1 AS INT) * 128
                )
                ELSE SUBSTRING(
                  'user_' || SUBSTRING(SHA256(GETVARIABLE('tm_mask_key__k') || ':principal:' || tm_q."m"), 1, 12),
                  1,
                  CAST(LENGTH(tm_q."m") >= 1 AS INT) * 128
                )
              END
            END,
            '["\\]',
            '',
            'g'
          )
          WHEN STRPOS(tm_q."m", '@') > 0
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})$'
          )
          THEN REGEXP_REPLACE(
            CASE
              WHEN REGEXP_MATCHES(tm_q."m", '^[^@\s]+@[^@\s]+\.[^@\s]+$')
              THEN 'masked@' || REGEXP_EXTRACT(tm_q."m", '@([^@]+)$', 1)
              ELSE 'XXXXX'
            END,
            '["\\]',
            '',
            'g'
          )
          WHEN STARTS_WITH(tm_q."m", 'A')
          AND REGEXP_MATCHES(tm_q."m", '^(?:\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{12,24}\b)$')
          THEN REGEXP_REPLACE(
            SUBSTRING(
              'key_' || SUBSTRING(tm_q."m", 1, 4 * CAST(LENGTH(tm_q."m") >= 16 AS INT)) || SUBSTRING('_', 1, CAST(LENGTH(tm_q."m") >= 16 AS INT)) || SUBSTRING(SHA256(GETVARIABLE('tm_mask_key__k') || ':access_key:' || tm_q."m"), 1, 12),
              1,
              CAST(LENGTH(tm_q."m") >= 1 AS INT) * 128
            ),
            '["\\]',
            '',
            'g'
          )
          WHEN STARTS_WITH(tm_q."m", 'A')
          AND REGEXP_MATCHES(tm_q."m", '^(?:\b(?:AIDA|AROA|AGPA|AIPA|ANPA|ANVA|APKA|ASCA)[A-Z0-9]{12,24}\b)$')
          THEN REGEXP_REPLACE(
            CASE
              WHEN REGEXP_MATCHES(
                tm_q."m",
                '^(?:AWSServiceRoleFor[A-Za-z0-9+=,.@_-]*|aws-service-role|aws-reserved|(?:portal\.sso|console\.ec2|delivery\.logs|ops\.apigateway|replicator\.lambda|edgelambda\.lambda|[a-z0-9-]+)(?:\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)?\.amazonaws\.com(?:\.cn)?)$'
              )
              THEN tm_q."m"
              WHEN STARTS_WITH(tm_q."m", 'AWSReservedSSO_')
              THEN 'AWSReservedSSO_' || SUBSTRING(
                'user_' || SUBSTRING(
                  SHA256(GETVARIABLE('tm_mask_key__k') || ':principal:' || SUBSTRING(tm_q."m", 16)),
                  1,
                  12
                ),
                1,
                CAST(LENGTH(SUBSTRING(tm_q."m", 16)) >= 1 AS INT) * 128
              )
              ELSE SUBSTRING(
                'user_' || SUBSTRING(SHA256(GETVARIABLE('tm_mask_key__k') || ':principal:' || tm_q."m"), 1, 12),
                1,
                CAST(LENGTH(tm_q."m") >= 1 AS INT) * 128
              )
            END,
            '["\\]',
            '',
            'g'
          )
          WHEN STRPOS(tm_q."m", ':') > 0
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:\b(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|\b(?:[0-9A-Fa-f]{1,4}:){1,7}:(?:(?:[0-9A-Fa-f]{1,4}:){0,5}(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?|\B::(?:(?:[0-9A-Fa-f]{1,4}:){0,5}(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b|[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6}))$'
          )
          THEN REGEXP_REPLACE(
            REGEXP_EXTRACT(LOWER(tm_q."m"), '^([0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,2})', 1) || '::',
            '["\\]',
            '',
            'g'
          )
          WHEN STRPOS(tm_q."m", '/') > 0
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:\b(?:Mozilla|AppleWebKit|Chrome|Chromium|CriOS|Safari|Version|Edg|EdgA|EdgiOS|Firefox|FxiOS|OPR|Gecko|Mobile|YaBrowser|SamsungBrowser|Electron|Trident|Brave|Vivaldi)/[0-9]+(?:\.[0-9]+){1,3}\b)$'
          )
          THEN tm_q."m"
          WHEN STRPOS(tm_q."m", '.') > 0
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:\b(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b)$'
          )
          THEN REGEXP_REPLACE(REGEXP_EXTRACT(tm_q."m", '^(\d+\.\d+\.\d+)\.', 1) || '.xxx', '["\\]', '', 'g')
          WHEN LENGTH(tm_q."m") = 12 AND REGEXP_MATCHES(tm_q."m", '^(?:\b[0-9]{12}\b)$')
          THEN REGEXP_REPLACE(
            SUBSTRING(
              'acct_' || SUBSTRING(SHA256(GETVARIABLE('tm_mask_key__k') || ':account_id:' || tm_q."m"), 1, 12),
              1,
              CAST(LENGTH(tm_q."m") >= 1 AS INT) * 128
            ),
            '["\\]',
            '',
            'g'
          )
          WHEN LOWER(SUBSTRING(tm_q."m", 1, 1)) IN ('p', 's', 't', 'a', 'c')
          AND REGEXP_MATCHES(
            tm_q."m",
            '^(?:(?i:\b(?:password|passwd|pwd|secret|token|api[_-]?key|client[_-]?secret)\s*[=:]\s*)[^\s\"''\\,;&\x1f]+)$'
          )
          THEN REGEXP_EXTRACT(tm_q."m", '^([^=:]*[=:]\s*)', 1) || '[REDACTED:kv_secret]'
          ELSE tm_q."m"
        END,
        '[REDACTED]'
      ) AS "r"
    FROM (
      SELECT DISTINCT
        "m"
      FROM tm_lk_1_o
    ) AS tm_q
  ), tm_lk_1_p AS (
    SELECT
      tm_lk_1_o."v",
      ARRAY_AGG({'l': LENGTH(tm_lk_1_o."m"), 'm': tm_lk_1_o."m", 'r': tm_lk_1_n."r"}) FILTER(WHERE
        NOT (
          tm_lk_1_o."m" = tm_lk_1_n."r"
        )) AS "map"
    FROM tm_lk_1_o
    LEFT JOIN tm_lk_1_n
      ON tm_lk_1_o."m" = tm_lk_1_n."m"
    GROUP BY
      tm_lk_1_o."v"
  ), tm_lk_1 AS (
    SELECT
      tm_lk_1_t."v",
      COALESCE(
        LIST_REDUCE(
          ARRAY_REVERSE_SORT(tm_lk_1_p."map"),
          LAMBDA tm_acc, tm_p : REPLACE(tm_acc, tm_p."m", tm_p."r"),
          tm_lk_1_t."v"
        ),
        tm_lk_1_t."v"
      ) AS "r"
    FROM tm_lk_1_t
    LEFT JOIN tm_lk_1_p
      ON tm_lk_1_p."v" = tm_lk_1_t."v"
  ), tm_lk_1_j AS (
    SELECT
      tm_lk_0."v",
      tm_lk_1."r" AS "r"
    FROM tm_lk_0
    LEFT JOIN tm_lk_1
      ON tm_lk_1."v" = tm_lk_0."r"
  ), tm_lk AS (
    SELECT
      tm_lk_1_j."v",
      REPLACE(tm_lk_1_j."r", '', '') AS "r"
    FROM tm_lk_1_j
  )
  SELECT
    tm_e."eventSource" AS "eventSource",
    tm_k0."r" AS "errorMessage",
    TRY_CAST(tm_k1."r" AS JSON) AS "requestParameters"
  FROM tm_i AS tm_e
  LEFT JOIN tm_lk AS tm_k0
    ON tm_k0."v" = tm_e."tm_f0"
  LEFT JOIN tm_lk AS tm_k1
    ON tm_k1."v" = tm_e."tm_f1"
) AS events
WHERE
  eventSource = 's3.amazonaws.com'
