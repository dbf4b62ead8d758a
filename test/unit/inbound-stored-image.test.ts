import { describe, expect, it } from "vitest";
import { forStorage, imageLabel } from "../../src/core/agent/stored-message.js";
import { turnInputOf } from "../../src/core/bus/inbound-input.js";

describe("images in the stored session", () => {
  it("turn input labels each inline image with its saved path; storage keeps the label, not the pixels", async () => {
    const input = await turnInputOf(
      {
        channel: "telegram",
        chatId: "1",
        senderId: "1",
        text: "what is this?",
        sessionKey: "telegram:1",
        receivedAt: "2026-01-01T00:00:00Z",
        media: [{ path: "/p/media/telegram-1-photo.jpg", mediaType: "image/jpeg", kind: "image" }],
      },
      { readFile: async () => new Uint8Array([1, 2, 3]) },
    );
    expect(input).toEqual([
      { type: "text", text: "what is this?" },
      { type: "text", text: imageLabel("/p/media/telegram-1-photo.jpg", "image/jpeg") },
      { type: "image", mediaType: "image/jpeg", data: "AQID" },
    ]);
    const stored = forStorage({ role: "user", content: input });
    expect(stored).toEqual({
      role: "user",
      content: "what is this?\n[image: /p/media/telegram-1-photo.jpg (image/jpeg), sent earlier]",
    });
  });

  it("replaces an unlabelled image (a tool's screenshot) with a short note and leaves text alone", () => {
    expect(
      forStorage({
        role: "tool",
        toolCallId: "c1",
        toolName: "shot",
        content: [
          { type: "text", text: "done" },
          { type: "image", mediaType: "image/png", data: "AA" },
        ],
      }),
    ).toMatchObject({ content: "done\n[image (image/png), sent earlier; no longer attached]" });
    const plain = { role: "user" as const, content: [{ type: "text" as const, text: "hi" }] };
    expect(forStorage(plain)).toBe(plain);
  });
});
