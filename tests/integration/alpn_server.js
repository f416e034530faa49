// SPDX-License-Identifier: MIT
//
// alpn_server.js MODE PORTFILE CERT KEY: a direct-TLS test server on 127.0.0.1 (a free port,
// written to PORTFILE once it listens) whose only interesting behaviour is what it does with the
// client's ALPN list. Started by lib_servers.sh's alpn_start; needs nothing but Node's tls module.
//
// Modes:
//   pg17    as PostgreSQL 17 documents for sslnegotiation=direct: a ClientHello whose ALPN list
//           lacks "postgresql" is refused (the ALPN callback returns undefined, so the handshake
//           aborts with the no_application_protocol alert); one without any ALPN extension
//           completes the handshake and is closed at once (PostgreSQL logs "received direct SSL
//           connection request without ALPN protocol negotiation extension" and hangs up).
//   ignore  a TLS proxy that knows nothing of ALPN: never selects a protocol, keeps the
//           connection open until the client closes it.
//   select  selects the first protocol the client offers.
//   sslrequest-refuse
//           a TLS proxy in front of PostgreSQL that answers the SSLRequest itself ('S') and
//           refuses any ALPN protocol it does not know (it knows none): a handshake without ALPN
//           completes, one offering "postgresql" (libpq 17) ends in no_application_protocol.
//
// Each connection logs one line to stdout: "offered=LIST outcome".
'use strict';
const fs = require('fs');
const tls = require('tls');

const [mode, portfile, certfile, keyfile] = process.argv.slice(2);
const modes = ['pg17', 'ignore', 'select', 'sslrequest-refuse'];
if (!modes.includes(mode) || !portfile || !certfile || !keyfile) {
	console.error(`usage: alpn_server.js ${modes.join('|')} PORTFILE CERT KEY`);
	process.exit(2);
}

const opts = {
	cert: fs.readFileSync(certfile),
	key: fs.readFileSync(keyfile),
	minVersion: 'TLSv1.2',
};
if (mode === 'pg17') {
	opts.ALPNCallback = ({ protocols }) => {
		const ok = protocols.includes('postgresql');
		console.log(`offered=${protocols.join(',')} ${ok ? 'selected postgresql' : 'refused'}`);
		return ok ? 'postgresql' : undefined;
	};
} else if (mode === 'sslrequest-refuse') {
	opts.ALPNCallback = ({ protocols }) => {
		console.log(`offered=${protocols.join(',')} refused`);
		return undefined;
	};
} else if (mode === 'select') {
	opts.ALPNCallback = ({ protocols }) => {
		console.log(`offered=${protocols.join(',')} selected ${protocols[0]}`);
		return protocols[0];
	};
}

const server = tls.createServer(opts, (sock) => {
	if (mode === 'pg17' && !sock.alpnProtocol) {
		console.log('offered= closed (no ALPN)');
		sock.destroy();
		return;
	}
	if (mode === 'ignore')
		console.log('offered=? ignored');
	sock.setTimeout(30000, () => sock.destroy());
	sock.on('data', () => {}); // a proxy would forward it; here it goes nowhere
	sock.on('error', () => {});
});
server.on('tlsClientError', (err) => console.log(`handshake failed: ${err.code || err.message}`));
// sslrequest-refuse: a plain listener answers the 8-byte SSLRequest, then hands the socket to
// the TLS server (nothing else was sent: the client waits for the 'S')
const net = require('net');
const listener = mode !== 'sslrequest-refuse' ? server : net.createServer((sock) => {
	let got = Buffer.alloc(0);
	const onData = (b) => {
		got = Buffer.concat([got, b]);
		if (got.length < 8)
			return;
		sock.removeListener('data', onData);
		sock.pause();
		if (got.length !== 8 || got.readUInt32BE(4) !== 80877103) {
			sock.destroy();
			return;
		}
		sock.write('S');
		server.emit('connection', sock);
	};
	sock.on('data', onData);
	sock.on('error', () => {});
});
listener.listen(0, '127.0.0.1', () => {
	const tmp = `${portfile}.tmp`;
	fs.writeFileSync(tmp, `${listener.address().port}\n`);
	fs.renameSync(tmp, portfile);
});
for (const sig of ['SIGTERM', 'SIGINT']) {
	process.on(sig, () => {
		listener.close(() => process.exit(0));
		setTimeout(() => process.exit(0), 500); // open connections do not hold the exit
	});
}
