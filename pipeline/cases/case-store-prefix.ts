/** The case store's key prefix under a deployment's Redis prefix (config redis.prefix). */
export function caseStorePrefix(deploymentPrefix: string): string {
  return `${deploymentPrefix}:cases`;
}
