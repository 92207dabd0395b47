-- runbook identity-provider-changes: Identity providers and trust anchors created or changed (SAML, OIDC, IAM Roles Anywhere)
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $include_failed
SELECT
  eventTime,
  eventSource,
  eventName,
  COALESCE(
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.name'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.name'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.sAMLProviderArn'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.sAMLProviderArn'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.url'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.url'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.openIDConnectProviderArn'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.openIDConnectProviderArn'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(requestParameters, '$.trustAnchorId'),
      JSON_FORMAT(JSON_EXTRACT(requestParameters, '$.trustAnchorId'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(responseElements, '$.sAMLProviderArn'),
      JSON_FORMAT(JSON_EXTRACT(responseElements, '$.sAMLProviderArn'))
    ),
    COALESCE(
      JSON_EXTRACT_SCALAR(responseElements, '$.openIDConnectProviderArn'),
      JSON_FORMAT(JSON_EXTRACT(responseElements, '$.openIDConnectProviderArn'))
    )
  ) AS provider,
  userIdentity.arn AS principal_arn,
  sourceIPAddress,
  errorCode,
  eventID
FROM (
  SELECT
    *
  FROM cloudtrail_trailmask_investigator AS tm_s
) AS events
WHERE
  (
    CAST(? AS TIMESTAMP) IS NULL
    OR eventTime >= CAST(? AS TIMESTAMP)
  )
  AND (
    CAST(? AS TIMESTAMP) IS NULL
    OR eventTime < CAST(? AS TIMESTAMP)
  )
  AND (
    (
      eventSource = 'iam.amazonaws.com'
      AND eventName IN (
        'CreateSAMLProvider',
        'UpdateSAMLProvider',
        'DeleteSAMLProvider',
        'CreateOpenIDConnectProvider',
        'UpdateOpenIDConnectProviderThumbprint',
        'AddClientIDToOpenIDConnectProvider'
      )
    )
    OR (
      eventSource = 'rolesanywhere.amazonaws.com'
      AND eventName IN (
        'CreateTrustAnchor',
        'UpdateTrustAnchor',
        'EnableTrustAnchor',
        'CreateProfile',
        'UpdateProfile'
      )
    )
  )
  AND (
    ? OR errorCode IS NULL
  )
ORDER BY
  eventTime,
  eventID
