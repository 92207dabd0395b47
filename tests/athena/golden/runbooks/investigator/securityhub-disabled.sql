-- runbook securityhub-disabled: Security Hub disabled or findings suppressed
-- athena SQL for role investigator over cloudtrail_trailmask_investigator
-- run as a prepared statement: PREPARE q FROM <this statement>; EXECUTE q USING <values>
-- values, in order: 1: $start, 2: $start, 3: $end, 4: $end
SELECT
  eventTime,
  eventName,
  awsRegion,
  recipientAccountId,
  userIdentity.arn AS principal_arn,
  sourceIPAddress,
  CAST(requestParameters AS VARCHAR) AS request_parameters,
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
  AND eventSource = 'securityhub.amazonaws.com'
  AND errorCode IS NULL
  AND (
    eventName IN (
      'DisableSecurityHub',
      'BatchDisableStandards',
      'DisableImportFindingsForProduct',
      'DisassociateFromMasterAccount',
      'DisassociateFromAdministratorAccount',
      'DeleteInsight',
      'UpdateFindings',
      'BatchUpdateFindings',
      'DeleteMembers',
      'DisassociateMembers'
    )
    OR (
      eventName IN ('UpdateStandardsControl', 'BatchUpdateStandardsControlAssociations')
      AND CONTAINS(UPPER(CAST(requestParameters AS VARCHAR)), 'DISABLED')
    )
  )
ORDER BY
  eventTime,
  eventID
