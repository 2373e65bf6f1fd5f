// k6 load test for fraud-scorer: constant arrival rate of 180 predictions/s for 10 minutes
// against a staging deployment (3 replicas, HPA disabled during the run).
//
//   k6 run -e BASE_URL=https://fraud-scorer.staging.example.com \
//          -e FRAUD_SCORER_BEARER="$(./scripts/staging-token.sh)" \
//          --summary-export loadtest/k6-summary.json loadtest/script.js
import http from 'k6/http';
import { check } from 'k6';

const BASE_URL = __ENV.BASE_URL || 'http://localhost:8080';
const BEARER = __ENV.FRAUD_SCORER_BEARER;

export const options = {
  scenarios: {
    predict: {
      executor: 'constant-arrival-rate',
      rate: 180,
      timeUnit: '1s',
      duration: '10m',
      preAllocatedVUs: 40,
      maxVUs: 120,
    },
  },
  thresholds: {
    http_req_duration: ['p(95)<250'],
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'],
};

const CATEGORIES = ['grocery', 'fashion', 'electronics', 'travel', 'gaming'];
const COUNTRIES = ['DE', 'FR', 'NL', 'ES', 'IT', 'GB'];
const DEVICES = ['web', 'ios', 'android'];

function pick(values) {
  return values[Math.floor(Math.random() * values.length)];
}

function transaction() {
  return {
    transaction_id: `k6-${__VU}-${__ITER}`,
    amount: Math.round(Math.exp(3.9 + 1.1 * (Math.random() * 2 - 1)) * 100) / 100,
    merchant_category: pick(CATEGORIES),
    country: pick(COUNTRIES),
    device: pick(DEVICES),
    hour_of_day: Math.floor(Math.random() * 24),
    customer_age_days: Math.floor(Math.random() * 3000),
    num_tx_24h: Math.floor(Math.random() * 8),
    avg_amount_30d: Math.round(Math.exp(3.8 + 0.8 * (Math.random() * 2 - 1)) * 100) / 100,
  };
}

export default function () {
  const response = http.post(`${BASE_URL}/v1/predict`, JSON.stringify(transaction()), {
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${BEARER}` },
    tags: { name: 'predict' },
  });
  check(response, {
    'status is 200': (r) => r.status === 200,
    'has fraud_probability': (r) => r.json('fraud_probability') !== undefined,
  });
}
