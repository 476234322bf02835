"""TARSy configuration: the models of ``tarsy.yaml`` and ``llm-providers.yaml``, the built-ins,
loading with ``${VAR}`` expansion and validation, and hierarchical resolution of agent settings.

See ``docs/configuration.md`` for the file reference.
"""

from tarsy.config.agents import AgentConfig
from tarsy.config.base import AgentType, Strategy, SuccessPolicy
from tarsy.config.builtin import CHAT_AGENT, EXEC_SUMMARY_AGENT, SYNTHESIS_AGENT
from tarsy.config.chains import (
    ChainConfig,
    ChatConfig,
    StageAgentConfig,
    StageConfig,
    SynthesisConfig,
    stage_agent_count,
)
from tarsy.config.duration import Duration, PositiveDuration, parse_duration
from tarsy.config.errors import (
    BUILTIN_SOURCE,
    ConfigError,
    ConfigIssue,
    UnknownAlertTypeError,
    UnknownNameError,
)
from tarsy.config.loader import load_config, load_config_from_data
from tarsy.config.masking import MASKING_GROUPS, MASKING_PATTERNS, StreamMaskingConfig
from tarsy.config.mcp import (
    CustomMaskingPattern,
    DataMaskingConfig,
    HTTPTransport,
    MCPServerConfig,
    MCPTransport,
    SSETransport,
    StdioTransport,
    SummarizationConfig,
)
from tarsy.config.models import TarsyConfig
from tarsy.config.providers import (
    AnthropicProviderConfig,
    GoogleProviderConfig,
    LLMProviderConfig,
    LLMProviderType,
    OpenAIProviderConfig,
    ScriptedProviderConfig,
    VertexAIProviderConfig,
    XAIProviderConfig,
)
from tarsy.config.resolve import (
    ResolvedAgent,
    resolve_agent,
    resolve_chat,
    resolve_exec_summary,
    resolve_success_policy,
    resolve_synthesis,
)
from tarsy.config.sections import (
    AlertmanagerConfig,
    AlertMaskingConfig,
    AuthConfig,
    DatabaseConfig,
    DefaultsConfig,
    GitHubConfig,
    QueueConfig,
    RetentionConfig,
    Role,
    RunbooksConfig,
    SlackConfig,
    SseConfig,
    SystemConfig,
)
from tarsy.settings import CONFIG_DIR_ENV, config_dir_from_env

__all__ = [
    "BUILTIN_SOURCE",
    "CHAT_AGENT",
    "CONFIG_DIR_ENV",
    "EXEC_SUMMARY_AGENT",
    "MASKING_GROUPS",
    "MASKING_PATTERNS",
    "SYNTHESIS_AGENT",
    "AgentConfig",
    "AgentType",
    "AlertMaskingConfig",
    "AlertmanagerConfig",
    "AnthropicProviderConfig",
    "AuthConfig",
    "ChainConfig",
    "ChatConfig",
    "ConfigError",
    "ConfigIssue",
    "CustomMaskingPattern",
    "DataMaskingConfig",
    "DatabaseConfig",
    "DefaultsConfig",
    "Duration",
    "GitHubConfig",
    "GoogleProviderConfig",
    "HTTPTransport",
    "LLMProviderConfig",
    "LLMProviderType",
    "MCPServerConfig",
    "MCPTransport",
    "OpenAIProviderConfig",
    "PositiveDuration",
    "QueueConfig",
    "ResolvedAgent",
    "RetentionConfig",
    "Role",
    "RunbooksConfig",
    "SSETransport",
    "ScriptedProviderConfig",
    "SlackConfig",
    "SseConfig",
    "StageAgentConfig",
    "StageConfig",
    "StdioTransport",
    "Strategy",
    "StreamMaskingConfig",
    "SuccessPolicy",
    "SummarizationConfig",
    "SynthesisConfig",
    "SystemConfig",
    "TarsyConfig",
    "UnknownAlertTypeError",
    "UnknownNameError",
    "VertexAIProviderConfig",
    "XAIProviderConfig",
    "config_dir_from_env",
    "load_config",
    "load_config_from_data",
    "parse_duration",
    "resolve_agent",
    "resolve_chat",
    "resolve_exec_summary",
    "resolve_success_policy",
    "resolve_synthesis",
    "stage_agent_count",
]
