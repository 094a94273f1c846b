// Run as a child process with NODE_EXTRA_CA_CERTS naming the certificate the test made, the only way to make
// Node trust a test certificate: one status read over https to the URL given, printed as JSON.
import { createTransport } from '../../../src/momo/http';

const transport = createTransport({ baseUrl: process.argv[2]!, timeoutMs: 5_000, maxSockets: 1, now: Date.now });
const answer = await transport.send({
  product: 'collection',
  operation: 'collection.getRequestToPay',
  method: 'GET',
  path: '/collection/v1_0/requesttopay/4f1a3c2e-7b9d-4e8f-a1b2-000000000001',
  headers: { Authorization: 'Bearer tls-token' },
  referenceId: null,
  attempt: 1,
});
console.log(JSON.stringify(answer));
await transport.close();
