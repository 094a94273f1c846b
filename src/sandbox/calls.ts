// Counts of calls per endpoint and per answer status: the benchmark reports MoMo calls per order
// from these. Two Map increments per request, nothing more.
export interface EndpointCount {
  operation: string;
  calls: number;
  statuses: Record<string, number>;
}

export class Calls {
  private readonly counts = new Map<string, number>();
  private readonly statuses = new Map<string, Map<number, number>>();
  /** operation → "METHOD /path/template", filled as routes are registered. */
  private readonly endpoints = new Map<string, string>();

  register(operation: string, endpoint: string): void {
    this.endpoints.set(operation, endpoint);
  }

  hit(operation: string): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
  }

  answered(operation: string, status: number): void {
    let byStatus = this.statuses.get(operation);
    if (!byStatus) this.statuses.set(operation, (byStatus = new Map<number, number>()));
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }

  snapshot(): { total: number; byEndpoint: Record<string, EndpointCount>; byOperation: Record<string, number> } {
    let total = 0;
    const byEndpoint: Record<string, EndpointCount> = {};
    const byOperation: Record<string, number> = {};
    for (const [operation, calls] of this.counts) {
      total += calls;
      byOperation[operation] = calls;
      byEndpoint[this.endpoints.get(operation) ?? operation] = {
        operation,
        calls,
        statuses: Object.fromEntries([...(this.statuses.get(operation) ?? [])].map(([s, n]) => [String(s), n])),
      };
    }
    return { total, byEndpoint, byOperation };
  }

  reset(): void {
    this.counts.clear();
    this.statuses.clear();
  }
}
