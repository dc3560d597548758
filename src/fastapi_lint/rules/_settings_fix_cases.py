"""FAPI201's cases for the fix that reads the settings object (kept beside the rule's own)."""

from __future__ import annotations

from fastapi_lint.linter.rule import Invalid

_PACKAGES = {"app/__init__.py": "", "app/core/__init__.py": "", "app/api/__init__.py": ""}

CONFIG = """
    from pydantic_settings import BaseSettings, SettingsConfigDict


    class Settings(BaseSettings):
        model_config = SettingsConfigDict(env_file=".env")

        database_url: str = "sqlite://"

        def describe(self) -> str:
            return self.database_url


    settings = Settings()
"""

GETTER_CONFIG = """
    from functools import lru_cache

    from pydantic_settings import BaseSettings


    class Settings(BaseSettings):
        database_url: str = "sqlite://"


    @lru_cache
    def get_settings() -> Settings:
        return Settings()
"""

SETTINGS_FIX_INVALID = [
    # An existing field and new ones (typed from the read); the import lands in its own group
    # and `os`, no longer used, goes.
    Invalid(
        """
        import os

        from fastapi import APIRouter

        router = APIRouter()
        PORT = int(os.getenv("PORT", "8000"))


        @router.get("/status")
        def status() -> dict[str, object]:
            debug = os.getenv("DEBUG", "false").lower() == "true"
            return {"db": os.getenv("DATABASE_URL"), "key": os.environ["API_KEY"], "debug": debug}
        """,
        path="app/api/routes.py",
        count=4,
        unsafe_fixes=True,
        files={**_PACKAGES, "app/core/config.py": CONFIG},
        expected_fix="""
        from fastapi import APIRouter

        from app.core.config import settings

        router = APIRouter()
        PORT = settings.port


        @router.get("/status")
        def status() -> dict[str, object]:
            debug = settings.debug
            return {"db": settings.database_url, "key": settings.api_key, "debug": debug}
        """,
        expected_files={
            "app/core/config.py": """
                from pydantic_settings import BaseSettings, SettingsConfigDict


                class Settings(BaseSettings):
                    model_config = SettingsConfigDict(env_file=".env")

                    database_url: str = "sqlite://"
                    port: int = 8000
                    debug: bool = False
                    api_key: str

                    def describe(self) -> str:
                        return self.database_url


                settings = Settings()
            """
        },
    ),
    # Aliased os imports, a cached get_settings(), a read without a default; `os` still used.
    Invalid(
        """
        import os as o
        from os import environ as env, getenv as ge

        from app.core.config import get_settings


        def connect() -> tuple[str | None, str, str | None, str]:
            return o.environ.get("DATABASE_URL"), env["REDIS_URL"], ge("SENTRY_DSN"), o.sep
        """,
        path="app/db.py",
        count=3,
        unsafe_fixes=True,
        files={**_PACKAGES, "app/core/config.py": GETTER_CONFIG},
        expected_fix="""
        import os as o

        from app.core.config import get_settings


        def connect() -> tuple[str | None, str, str | None, str]:
            return get_settings().database_url, get_settings().redis_url, get_settings().sentry_dsn, o.sep
        """,
        expected_files={
            "app/core/config.py": """
                from functools import lru_cache

                from pydantic_settings import BaseSettings


                class Settings(BaseSettings):
                    database_url: str = "sqlite://"
                    redis_url: str
                    sentry_dsn: str | None = None


                @lru_cache
                def get_settings() -> Settings:
                    return Settings()
            """
        },
    ),
    # Both a settings object and its cached getter: a module that imports the getter keeps
    # using it.
    Invalid(
        """
        import os

        from fastapi import Depends

        from app.core.config import Settings, get_settings


        def database(config: Settings = Depends(get_settings)) -> str | None:
            return os.getenv("DATABASE_URL")
        """,
        path="app/api/deps.py",
        unsafe_fixes=True,
        files={**_PACKAGES, "app/core/config.py": GETTER_CONFIG + "\n\n    settings = get_settings()\n"},
        expected_fix="""
        from fastapi import Depends

        from app.core.config import Settings, get_settings


        def database(config: Settings = Depends(get_settings)) -> str | None:
            return get_settings().database_url
        """,
    ),
    # The settings object re-exported by a package and imported under another name: reused.
    Invalid(
        """
        import os

        from app.core import settings as conf


        def url() -> str:
            return os.environ.get("database_url", "sqlite://")
        """,
        path="app/api/routes.py",
        unsafe_fixes=True,
        files={**_PACKAGES, "app/core/__init__.py": "from .config import settings\n", "app/core/config.py": CONFIG},
        expected_fix="""
        from app.core import settings as conf


        def url() -> str:
            return conf.database_url
        """,
    ),
    # A module that imports the project relatively gets a relative import; the config
    # module imported as a module is reached through it.
    Invalid(
        """
        import os

        from ..db import engine


        def region() -> str:
            return os.getenv("REGION", "eu")
        """,
        path="app/api/routes.py",
        unsafe_fixes=True,
        files={**_PACKAGES, "app/db.py": "engine = None\n", "app/core/config.py": CONFIG},
        expected_fix="""
        from ..core.config import settings
        from ..db import engine


        def region() -> str:
            return settings.region
        """,
        expected_files={
            "app/core/config.py": CONFIG.replace(
                'database_url: str = "sqlite://"\n', 'database_url: str = "sqlite://"\n        region: str = "eu"\n'
            )
        },
    ),
    Invalid(
        """
        import os

        from app.core import config


        def db() -> str | None:
            return os.getenv("DATABASE_URL")
        """,
        path="app/api/routes.py",
        unsafe_fixes=True,
        files={**_PACKAGES, "app/core/config.py": CONFIG},
        expected_fix="""
        from app.core import config


        def db() -> str | None:
            return config.settings.database_url
        """,
    ),
    # env_prefix: APP_REGION is field `region` (case-insensitively); REGION cannot be a field.
    Invalid(
        """
        import os

        REGION = os.getenv("app_region", "eu")
        ZONE = os.getenv("ZONE")
        DB = os.getenv("APP_DATABASE_URL")
        """,
        path="app/main.py",
        count=3,
        unsafe_fixes=True,
        files={
            **_PACKAGES,
            "app/core/config.py": """
                from pydantic_settings import BaseSettings, SettingsConfigDict


                class Settings(BaseSettings):
                    model_config = SettingsConfigDict(env_prefix="APP_")

                    database_url: str | None = None


                settings = Settings()
            """,
        },
        expected_fix="""
        import os

        from app.core.config import settings

        REGION = settings.region
        ZONE = os.getenv("ZONE")
        DB = settings.database_url
        """,
        expected_files={
            "app/core/config.py": """
                from pydantic_settings import BaseSettings, SettingsConfigDict


                class Settings(BaseSettings):
                    model_config = SettingsConfigDict(env_prefix="APP_")

                    database_url: str | None = None
                    region: str = "eu"


                settings = Settings()
            """
        },
    ),
    # float(...), `!=` and `not in` idioms (the default is what the idiom gave without the
    # variable), a keyword default; a comparison with a word pydantic does not read as a
    # boolean stays a string comparison.
    Invalid(
        """
        import os

        TIMEOUT = float(os.getenv("TIMEOUT", default="2.5"))
        CACHE = os.environ.get("CACHE", "on") != "off"
        QUIET = os.getenv("QUIET", "0").lower() not in ("0", "false", "no")
        PROD = os.getenv("ENVIRONMENT", "dev") == "production"
        """,
        path="app/main.py",
        count=4,
        unsafe_fixes=True,
        files={**_PACKAGES, "app/core/config.py": CONFIG},
        expected_fix="""
        from app.core.config import settings

        TIMEOUT = settings.timeout
        CACHE = settings.cache
        QUIET = settings.quiet
        PROD = settings.environment == "production"
        """,
        expected_files={
            "app/core/config.py": CONFIG.replace(
                'database_url: str = "sqlite://"\n',
                'database_url: str = "sqlite://"\n        timeout: float = 2.5\n        cache: bool = True\n'
                '        quiet: bool = False\n        environment: str = "dev"\n',
            )
        },
    ),
    # case_sensitive=True: only the exact spelling is the field's variable, and a new field
    # is spelled as the variable.
    Invalid(
        """
        import os

        A = os.getenv("region", "eu")
        B = os.getenv("Zone", "z")
        """,
        path="app/main.py",
        count=2,
        unsafe_fixes=True,
        files={
            **_PACKAGES,
            "app/core/config.py": """
                from pydantic_settings import BaseSettings


                class Settings(BaseSettings, case_sensitive=True):
                    region: str = "eu"


                settings = Settings()
            """,
        },
        expected_fix="""
        from app.core.config import settings

        A = settings.region
        B = settings.Zone
        """,
        expected_files={
            "app/core/config.py": """
                from pydantic_settings import BaseSettings


                class Settings(BaseSettings, case_sensitive=True):
                    region: str = "eu"
                    Zone: str = "z"


                settings = Settings()
            """
        },
    ),
    Invalid(
        """
        import os

        ZONE = os.getenv("ZONE")
        """,
        path="app/main.py",
        unsafe_fixes=True,
        message_contains="No fix: `Settings` loads its fields from variables prefixed `APP_`",
        files={
            **_PACKAGES,
            "app/core/config.py": """
                from pydantic_settings import BaseSettings, SettingsConfigDict


                class Settings(BaseSettings):
                    model_config = SettingsConfigDict(env_prefix="APP_")


                settings = Settings()
            """,
        },
    ),
    # A field read through its alias; upper-case field names stay upper-case; a boolean
    # membership idiom; `TOKEN` is not the aliased field's variable (and its name is taken).
    Invalid(
        """
        import os

        from app.core.config import settings

        TOKEN = os.getenv("API_TOKEN", "")
        OTHER = os.getenv("TOKEN", "")
        VERBOSE = os.getenv("VERBOSE") in ("1", "true")
        WORKERS = int(os.environ["WORKERS"])
        """,
        path="app/main.py",
        count=4,
        unsafe_fixes=True,
        files={
            **_PACKAGES,
            "app/core/config.py": """
                from pydantic import Field
                from pydantic_settings import BaseSettings


                class Settings(BaseSettings):
                    TOKEN: str = Field("", validation_alias="API_TOKEN")


                settings = Settings()
            """,
        },
        expected_fix="""
        import os

        from app.core.config import settings

        TOKEN = settings.TOKEN
        OTHER = os.getenv("TOKEN", "")
        VERBOSE = settings.VERBOSE
        WORKERS = settings.WORKERS
        """,
        expected_files={
            "app/core/config.py": """
                from pydantic import Field
                from pydantic_settings import BaseSettings


                class Settings(BaseSettings):
                    TOKEN: str = Field("", validation_alias="API_TOKEN")
                    VERBOSE: bool = False
                    WORKERS: int


                settings = Settings()
            """
        },
    ),
    # A field whose type is not what the read gives, a default that cannot be typed, a
    # name the module already uses, and a test module: no fix.
    Invalid(
        """
        import os

        from app.core.config import settings as conf

        DEBUG = os.getenv("DEBUG")
        HOME = os.getenv("HOME", os.path.expanduser("~"))


        def handler(settings: dict) -> str | None:
            return os.getenv("REGION")
        """,
        path="app/main.py",
        count=3,
        unsafe_fixes=True,
        files={
            **_PACKAGES,
            "app/core/config.py": """\
                from pydantic_settings import BaseSettings


                class Settings(BaseSettings):
                    debug: bool = False
                    region: str = "eu"


                settings = Settings()
            """,
        },
        expected_fix="""
        import os

        from app.core.config import settings as conf

        DEBUG = os.getenv("DEBUG")
        HOME = os.getenv("HOME", os.path.expanduser("~"))


        def handler(settings: dict) -> str | None:
            return conf.region
        """,
    ),
    # `settings` already names something else in the module: no import can bring it in.
    Invalid(
        """
        import os

        settings = {"debug": False}


        def db() -> str | None:
            return os.getenv("DATABASE_URL")
        """,
        path="app/main.py",
        unsafe_fixes=True,
        files={**_PACKAGES, "app/core/config.py": CONFIG},
    ),
    # A local `settings` assigned after the read would make the new name local there; a
    # class with only a method gets its first field above it.
    Invalid(
        """
        import os


        def connect() -> tuple[str | None, dict[str, str]]:
            url = os.getenv("DATABASE_URL")
            settings = {"url": url or ""}
            return url, settings


        def region() -> str:
            return os.getenv("REGION", "eu")
        """,
        path="app/main.py",
        count=2,
        unsafe_fixes=True,
        files={
            **_PACKAGES,
            "app/core/config.py": """
                from pydantic_settings import BaseSettings


                class Settings(BaseSettings):
                    def describe(self) -> str:
                        return "settings"


                settings = Settings()
            """,
        },
        expected_fix="""
        import os

        from app.core.config import settings


        def connect() -> tuple[str | None, dict[str, str]]:
            url = os.getenv("DATABASE_URL")
            settings = {"url": url or ""}
            return url, settings


        def region() -> str:
            return settings.region
        """,
        expected_files={
            "app/core/config.py": """
                from pydantic_settings import BaseSettings


                class Settings(BaseSettings):
                    region: str = "eu"

                    def describe(self) -> str:
                        return "settings"


                settings = Settings()
            """
        },
    ),
    # The module sets the variable itself: its reads may see that value, the settings would not.
    Invalid(
        """
        import os


        def configure() -> None:
            os.environ.setdefault("REGION", "eu")


        def region() -> str:
            return os.environ["REGION"]
        """,
        path="app/main.py",
        unsafe_fixes=True,
        files={**_PACKAGES, "app/core/config.py": CONFIG},
    ),
    # A script outside the packages runs with its own folder on sys.path: no fix.
    Invalid(
        """
        import os

        DATABASE_URL = os.getenv("DATABASE_URL")
        """,
        path="scripts/seed.py",
        unsafe_fixes=True,
        files={**_PACKAGES, "app/core/config.py": CONFIG},
    ),
    Invalid(
        """
        import os

        DATABASE_URL = os.getenv("DATABASE_URL")
        """,
        path="tests/test_app.py",
        unsafe_fixes=True,
        files={**_PACKAGES, "app/core/config.py": CONFIG},
    ),
    # The settings module imports this module (through another): importing the settings
    # here would be a cycle.
    Invalid(
        """
        import os

        LEVEL = os.getenv("LOG_LEVEL", "INFO")
        """,
        path="app/logging_setup.py",
        unsafe_fixes=True,
        message_contains="would create an import cycle",
        files={
            **_PACKAGES,
            "app/core/helpers.py": "from app.logging_setup import LEVEL\n",
            "app/core/config.py": CONFIG.replace("\n    from pydantic_settings", "\n    from app.core import helpers\n    from pydantic_settings"),
        },
    ),
    # No settings class in a project that depends on pydantic-settings: one is created.
    Invalid(
        """
        import os

        from fastapi import FastAPI

        app = FastAPI(debug=os.getenv("DEBUG", "0") == "1")
        """,
        path="app/main.py",
        unsafe_fixes=True,
        files={"app/__init__.py": "", "requirements.txt": "fastapi\npydantic-settings>=2\n"},
        expected_fix="""
        from fastapi import FastAPI

        from app.core.config import settings

        app = FastAPI(debug=settings.debug)
        """,
        expected_files={
            "app/core/__init__.py": "",
            "app/core/config.py": """\
                from pydantic_settings import BaseSettings


                class Settings(BaseSettings):
                    debug: bool = False


                settings = Settings()
            """,
        },
    ),
    # A class named BaseSettings from another library is not a settings class, and a project
    # that does not depend on pydantic-settings gets no new settings module.
    Invalid(
        """
        import os

        from mylib import BaseSettings


        class Settings(BaseSettings):
            url: str = "x"


        settings = Settings()
        REGION = os.getenv("REGION", "eu")
        """,
        path="app/main.py",
        unsafe_fixes=True,
        files={"app/__init__.py": ""},
    ),
]
