/**
 * Absolute path of the built dashboard (`dashboard/dist/`, made by `npm run build`):
 * pass it to `createControlApi({ dashboardDir })` to serve the dashboard at `/`.
 */
export declare const dashboardDir: string;
