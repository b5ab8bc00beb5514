/** The hub's clock: the browser's, corrected by the server's Date header when they disagree by
 * more than a few seconds (response clocks must not depend on a desktop's wrong clock). */
let offsetMs = 0;
export function now() {
    return Date.now() + offsetMs;
}
export function noteServerDate(header, sentAt, receivedAt) {
    if (header === null)
        return;
    const server = Date.parse(header);
    if (Number.isNaN(server))
        return;
    // The Date header is whole seconds, taken somewhere between send and receive.
    const local = (sentAt + receivedAt) / 2;
    const offset = server + 500 - local;
    offsetMs = Math.abs(offset) > 3000 ? Math.round(offset) : 0;
}
