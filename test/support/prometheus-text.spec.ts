import { familyOf, metricNamesInPromQL, parsePrometheusText } from './prometheus-text';

describe('PromQL metric names and the Prometheus text format (test support)', () => {
  it('finds the metrics of an expression, not its functions, labels, keywords, ranges or variables', () => {
    expect(
      metricNamesInPromQL(
        'sum by (outcome) (rate(crm_inbound_messages_total{mode="saga", outcome=~"stored|dup"}[$__rate_interval])) / ignoring(outcome) group_left sum(rate(crm_inbound_messages_total[5m] offset 1h)) > 0.05 and on() vector(1)',
      ),
    ).toEqual(['crm_inbound_messages_total']);
    expect(
      metricNamesInPromQL(
        'histogram_quantile(0.95, sum by (le) (rate(crm_outbox_publish_latency_seconds_bucket[5m])))',
      ),
    ).toEqual(['crm_outbox_publish_latency_seconds_bucket']);
    expect(
      metricNamesInPromQL('max(crm_outbox_oldest_pending_age_seconds) > 300 or absent(temporal_num_pollers) * 1e3'),
    ).toEqual(['crm_outbox_oldest_pending_age_seconds', 'temporal_num_pollers']);
  });

  it('maps histogram series to their family only where the family is a histogram', () => {
    const scrape = parsePrometheusText(
      [
        '# TYPE a_seconds histogram',
        'a_seconds_bucket{le="1"} 2',
        'a_seconds_count 2',
        '# TYPE b_count gauge',
        'b_count 1',
        '# TYPE c_total counter',
        'c_total{x="y"} 3',
        '',
      ].join('\n'),
    );
    expect(familyOf('a_seconds_bucket', [scrape])).toBe('a_seconds');
    expect(familyOf('b_count', [scrape])).toBe('b_count');
    expect(familyOf('c_count', [scrape])).toBeUndefined();
    expect(scrape.value('c_total', { x: 'y' })).toBe(3);
    expect(scrape.value('c_total', { x: 'z' })).toBe(0);
  });
});
