const { client } = require('./client'); // builds the client before .env is loaded
require('dotenv').config();

client.models.list().then(console.log);
