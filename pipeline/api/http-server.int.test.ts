import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { type HttpServer, listen } from './http-server.ts';

describe('listen', () => {
  const servers: HttpServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('rejects with the address when the port is taken', async () => {
    const first = await listen(express(), '127.0.0.1', 0);
    servers.push(first);
    await expect(listen(express(), '127.0.0.1', first.port)).rejects.toThrow(`cannot listen on 127.0.0.1:${first.port}: listen EADDRINUSE`);
  });
});
