// k6 twin of `loadtest run`: replays a workload file (one number per second = requests in that second) against the
// function, with the same images (round-robin) and the same objective as a threshold.
//
//   k6 run -e TARGET=http://127.0.0.1:8080/predict -e WORKLOAD=../../../shared/workloads/course-630s.txt \
//          -e IMAGES=../../../shared/imagenet/sample -e SLO_MS=330 loadtest/k6/replay.js
//
// Open loop like loadtest run: k6's ramping-arrival-rate executor starts iterations at the scheduled rate whatever
// the responses do, with one stage per second of the workload.
import http from 'k6/http';
import { check } from 'k6';
import { Trend, Rate } from 'k6/metrics';

const TARGET = __ENV.TARGET || 'http://127.0.0.1:8080/predict';
const WORKLOAD = __ENV.WORKLOAD || '../../../shared/workloads/course-630s.txt';
const IMAGES = __ENV.IMAGES || '../../../shared/imagenet/sample';
const IMAGE_LIST = __ENV.IMAGE_LIST || `${IMAGES}/labels.tsv`;
const SLO_MS = Number(__ENV.SLO_MS || 330);
const SCALE = Number(__ENV.SCALE || 1);
const FROM = Number(__ENV.FROM || 0);
const TO = __ENV.TO ? Number(__ENV.TO) : undefined;
const MULTIPART = __ENV.MULTIPART === '1';

// The workload: whitespace-separated whole numbers, one per second.
const perSecond = open(WORKLOAD).trim().split(/\s+/).map(Number).slice(FROM, TO).map((n) => Math.round(n * SCALE));

// Images: file names from the first column of labels.tsv (k6 cannot list a directory), read once in init.
const names = open(IMAGE_LIST).trim().split('\n').map((l) => l.split('\t')[0]).filter((n) => /\.(jpe?g|png)$/i.test(n));
const images = names.map((n) => open(`${IMAGES}/${n}`, 'b'));

const overSlo = new Rate('over_slo');
const latency = new Trend('predict_latency', true);

export const options = {
  scenarios: {
    workload: {
      executor: 'ramping-arrival-rate',
      startRate: perSecond[0] || 0,
      timeUnit: '1s',
      preAllocatedVUs: 50,
      maxVUs: 2000,
      stages: perSecond.map((n) => ({ target: n, duration: '1s' })),
    },
  },
  thresholds: {
    over_slo: ['rate<=0.01'],
    http_req_failed: ['rate<0.01'],
    predict_latency: [`p(99)<${SLO_MS}`],
  },
};

let i = 0;
export default function () {
  const body = images[(i++ + __VU) % images.length];
  const res = MULTIPART
    ? http.post(TARGET, { file: http.file(body, 'image.jpg', 'image/jpeg') })
    : http.post(TARGET, body, { headers: { 'Content-Type': 'image/jpeg' } });
  latency.add(res.timings.duration);
  overSlo.add(res.status !== 200 || res.timings.duration > SLO_MS);
  check(res, { 'status 200': (r) => r.status === 200 });
}
