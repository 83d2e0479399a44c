require('dotenv').config(); // require() runs in place: this line runs first
const { client } = require('./client');

client.models.list().then(console.log);
