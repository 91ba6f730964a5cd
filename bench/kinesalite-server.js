// Starts kinesalite (in-memory store) bound to 127.0.0.1 only; kinesalite's own
// CLI binds every interface. Usage: node kinesalite-server.js [PORT]  (0 = any free port)
'use strict'
const path = require('path')
const kinesalite = require(path.join(__dirname, '.deps', 'node_modules', 'kinesalite'))
const server = kinesalite({ createStreamMs: 500 })
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log('kinesalite listening on http://127.0.0.1:' + server.address().port)
})
