module.exports = require("./lazy-module").typescript;
