import { main } from './airlock.js';

await main();
