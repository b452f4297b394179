import * as logs from 'aws-cdk-lib/aws-logs';

/** Days → CloudWatch's retention setting; CloudWatch accepts only certain values (1, 3, 5, 7, 14, 30, …). */
export function retentionDays(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number');
  if (!allowed.includes(days)) {
    throw new Error(`log retention of ${days} days is not one CloudWatch accepts: ${allowed.join(', ')}`);
  }
  return days as logs.RetentionDays;
}
