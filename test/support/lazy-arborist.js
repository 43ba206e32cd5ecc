module.exports = require("./lazy-module").arborist;
