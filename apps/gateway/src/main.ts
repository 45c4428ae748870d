import 'reflect-metadata';
import { run } from './bootstrap.js';

void run(process.env);
