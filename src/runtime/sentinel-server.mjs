// The "outside world" netlab builds for itself: runs inside the sentinel's own network namespace
// (started with `ip netns exec`), so it is plain JavaScript that starts without a TypeScript loader.
// TCP: answers every connection with the address it came from, then closes.
// DNS: authoritative for the names it is given; NXDOMAIN for everything else, never forwarded.
import { createServer } from "node:net";
import { createSocket } from "node:dgram";
import dnsPacket from "dns-packet";

const [address, tcpPort, ...names] = process.argv.slice(2);
const known = new Set(names.map((name) => name.toLowerCase()));

const tcp = createServer((socket) => {
  // A probe that connects and closes at once (nc -e true) resets the greeting: that is its business, not a
  // reason for the outside world to stop answering.
  socket.on("error", () => {});
  process.stdout.write(`peer ${socket.remoteAddress}\n`);
  socket.end(`netlab-sentinel peer=${socket.remoteAddress}\n`);
});
tcp.on("error", (error) => fail(`tcp ${address}:${tcpPort}: ${error.message}`));

const dns = createSocket("udp4");
dns.on("message", (message, peer) => {
  let query;
  try {
    query = dnsPacket.decode(message);
  } catch {
    return;
  }
  const question = query.questions?.[0];
  const found = question && known.has(question.name.toLowerCase());
  const answers = found && question.type === "A" ? [{ type: "A", name: question.name, ttl: 5, data: address }] : [];
  const reply = dnsPacket.encode({
    type: "response",
    id: query.id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | (found ? 0 : 3),
    questions: query.questions,
    answers,
  });
  dns.send(reply, peer.port, peer.address);
});
dns.on("error", (error) => fail(`dns ${address}:53: ${error.message}`));

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

let listening = 0;
const ready = () => ++listening === 2 && process.stdout.write("ready\n");
tcp.listen(Number(tcpPort), address, ready);
dns.bind(53, address, ready);
process.on("SIGTERM", () => process.exit(0));
