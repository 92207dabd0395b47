-- runbook cloud-service-discovery: Cloud service, security tooling and log discovery by principal
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end, 5: $min_services
WITH reads AS (
  SELECT
    eventTime,
    eventSource,
    eventName,
    userIdentity.arn AS principal_arn,
    errorCode,
    eventSource IN (
      'guardduty.amazonaws.com',
      'securityhub.amazonaws.com',
      'config.amazonaws.com',
      'access-analyzer.amazonaws.com',
      'macie2.amazonaws.com',
      'inspector2.amazonaws.com',
      'detective.amazonaws.com'
    ) AS security_tool,
    eventSource IN ('cloudtrail.amazonaws.com', 'logs.amazonaws.com') AS logging
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
        eventSource = 'guardduty.amazonaws.com'
        AND eventName IN ('ListDetectors', 'GetDetector', 'ListFindings')
      )
      OR (
        eventSource = 'securityhub.amazonaws.com'
        AND eventName IN ('DescribeHub', 'GetEnabledStandards', 'GetFindings')
      )
      OR (
        eventSource = 'config.amazonaws.com'
        AND eventName IN (
          'DescribeConfigurationRecorders',
          'DescribeConfigurationRecorderStatus',
          'DescribeConfigRules'
        )
      )
      OR (
        eventSource = 'access-analyzer.amazonaws.com' AND eventName = 'ListAnalyzers'
      )
      OR (
        eventSource = 'macie2.amazonaws.com' AND eventName = 'GetMacieSession'
      )
      OR (
        eventSource = 'inspector2.amazonaws.com'
        AND eventName IN ('BatchGetAccountStatus', 'ListCoverage')
      )
      OR (
        eventSource = 'detective.amazonaws.com' AND eventName = 'ListGraphs'
      )
      OR (
        eventSource = 'cloudtrail.amazonaws.com'
        AND eventName IN (
          'DescribeTrails',
          'GetTrailStatus',
          'GetEventSelectors',
          'ListTrails',
          'LookupEvents'
        )
      )
      OR (
        eventSource = 'logs.amazonaws.com'
        AND eventName IN ('DescribeLogGroups', 'FilterLogEvents', 'GetLogEvents')
      )
      OR (
        eventSource = 'ec2.amazonaws.com'
        AND eventName IN ('DescribeRegions', 'DescribeFlowLogs')
      )
      OR (
        eventSource = 'organizations.amazonaws.com'
        AND eventName IN ('DescribeOrganization', 'ListAccounts')
      )
    )
)
SELECT
  principal_arn,
  COUNT(*) AS calls,
  COUNT(DISTINCT eventSource) AS services,
  COUNT(*) FILTER(WHERE
    security_tool) AS security_tool_calls,
  COUNT(*) FILTER(WHERE
    logging) AS log_calls,
  COUNT(*) FILTER(WHERE
    NOT errorCode IS NULL) AS failed,
  ARRAY_SORT(ARRAY_DISTINCT(ARRAY_AGG(REPLACE(eventSource, '.amazonaws.com', '')))) AS service_list,
  MIN(eventTime) AS first_seen,
  MAX(eventTime) AS last_seen
FROM reads
GROUP BY
  principal_arn
HAVING
  COUNT(DISTINCT eventSource) >= ?
ORDER BY
  services DESC,
  principal_arn
