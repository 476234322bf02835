"""An MCP ``CallToolResult`` as the text an LLM reads (and masking, storage and summaries work on).

Text blocks are kept as they are; binary blocks are described, not inlined, because a base64 blob
is useless to a text model and would only cost tokens. A result with no content blocks but
structured content shows the structured content as JSON. The text is always storable: a result
never fails a session for its shape (NUL and unpaired surrogates become U+FFFD; structured content too deep, with
integers past 64 bits or non-finite numbers is converted by ``tarsy.jsonsafe.make_storable``).
"""

from __future__ import annotations

from mcp.types import (
    AudioContent,
    BlobResourceContents,
    CallToolResult,
    ContentBlock,
    EmbeddedResource,
    ImageContent,
    ResourceLink,
    TextContent,
    TextResourceContents,
)

from tarsy.jsonsafe import clean_text, storable_json_text


def result_text(result: CallToolResult) -> str:
    parts = [_block_text(block) for block in result.content]
    if not parts and result.structuredContent is not None:
        return storable_json_text(result.structuredContent, indent=2)
    return clean_text("\n".join(parts))


def _block_text(block: ContentBlock) -> str:
    if isinstance(block, TextContent):
        return block.text
    if isinstance(block, ImageContent | AudioContent):
        kind = "image" if isinstance(block, ImageContent) else "audio"
        return f"[{kind} content: {block.mimeType}, {len(block.data) * 3 // 4} bytes, not shown]"
    if isinstance(block, ResourceLink):
        return f"[resource link: {block.uri}" + (f" ({block.mimeType})" if block.mimeType else "") + "]"
    assert isinstance(block, EmbeddedResource)
    resource = block.resource
    if isinstance(resource, TextResourceContents):
        return resource.text
    assert isinstance(resource, BlobResourceContents)
    mime = f", {resource.mimeType}" if resource.mimeType else ""
    return f"[embedded resource {resource.uri}{mime}, {len(resource.blob) * 3 // 4} bytes, not shown]"
