CREATE TABLE "probe_uses" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"used_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "probe_uses_key_idx" ON "probe_uses" USING btree ("key","used_at");