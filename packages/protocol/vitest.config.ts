import { pulseProject } from '../../vitest.shared.js';
export default pulseProject('protocol');
