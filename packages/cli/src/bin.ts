#!/usr/bin/env node
console.log('gatehouse');
