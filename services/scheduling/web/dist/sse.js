/**
 * An incremental Server-Sent Events parser (the WHATWG event-stream format), for streams read with
 * fetch() + ReadableStream because EventSource cannot send an Authorization header.
 */
export class SseParser {
    buffer = "";
    dataLines = [];
    eventType = "";
    lastId = null;
    started = false;
    get lastEventId() {
        return this.lastId;
    }
    /** Feed decoded text; returns every event completed by it. */
    feed(chunk) {
        let text = this.buffer + chunk;
        if (!this.started && text.length > 0) {
            this.started = true;
            if (text.charCodeAt(0) === 0xfeff)
                text = text.slice(1);
        }
        const messages = [];
        let start = 0;
        let i = 0;
        while (i < text.length) {
            const c = text.charAt(i);
            if (c === "\n" || c === "\r") {
                if (c === "\r" && i + 1 === text.length)
                    break; // maybe "\r\n" split across chunks: wait
                const line = text.slice(start, i);
                if (c === "\r" && text.charAt(i + 1) === "\n")
                    i += 1;
                start = i + 1;
                const message = this.line(line);
                if (message !== null)
                    messages.push(message);
            }
            i += 1;
        }
        this.buffer = text.slice(start);
        return messages;
    }
    line(line) {
        if (line === "")
            return this.dispatch();
        if (line.startsWith(":"))
            return null; // comment / keep-alive
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? "" : line.slice(colon + 1);
        if (value.startsWith(" "))
            value = value.slice(1);
        switch (field) {
            case "event":
                this.eventType = value;
                break;
            case "data":
                this.dataLines.push(value);
                break;
            case "id":
                if (!value.includes("\u0000"))
                    this.lastId = value;
                break;
            default:
                break; // "retry" and unknown fields are ignored
        }
        return null;
    }
    dispatch() {
        const lines = this.dataLines;
        const type = this.eventType;
        this.dataLines = [];
        this.eventType = "";
        if (lines.length === 0)
            return null;
        return { id: this.lastId, event: type === "" ? "message" : type, data: lines.join("\n") };
    }
}
